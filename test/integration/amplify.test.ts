import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

function runAmplifyClient(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [new URL('../amplify/amplify-client.ts', import.meta.url).pathname],
      {
        env: {
          ...process.env,
          GRAPHQL_ENDPOINT: stack.outputs.HttpsGraphQLUrl,
          API_KEY: stack.outputs.ApiKey,
          NODE_EXTRA_CA_CERTS: stack.outputs.CertificatePath,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('AWS Amplify JS v6 against the local endpoint', () => {
  it('given generateClient on HttpsGraphQLUrl, then a mutation, a query and an onAlert subscription work unchanged', async () => {
    const { code, stdout, stderr } = await runAmplifyClient();
    expect(stderr.split('\n').filter((line) => /error/i.test(line))).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(result.received.onAlert).toMatchObject({
      ruleId: result.ruleId,
      deviceId: result.deviceId,
      value: 4.5,
    });
    expect(result.rules).toEqual([{ id: result.ruleId }]);
  });
});
