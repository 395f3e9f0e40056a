import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';
import { localAdmin } from '../support/users.ts';

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
          AMPLIFY_TEST_CONFIG: JSON.stringify({
            endpoint: stack.outputs.HttpsGraphQLUrl,
            region: stack.outputs.Region,
            userPoolId: stack.outputs.UserPoolId,
            userPoolClientId: stack.outputs.UserPoolClientId,
            userPoolEndpoint: stack.outputs.CognitoEndpoint,
            username: stack.outputs.LocalAdminUsername,
            password: stack.outputs.LocalAdminPassword,
            deviceToken: stack.outputs.DemoDeviceToken,
          }),
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
  it('given Amplify Auth signed in to the local user pool and generateClient on HttpsGraphQLUrl, then userPool mode creates and lists rules and receives onAlert, and lambda mode with the demo device token ingests but may not read rules', async () => {
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
    // Amplify's userPool mode sends the access token, which names the user by their Cognito
    // username (in a pool that signs in by e-mail, their sub), not their e-mail.
    const { idToken } = await localAdmin(stack.outputs);
    const { sub } = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString());
    expect(result.createdBy).toBe(sub);
    expect(result.firstIngest).toMatchObject({ data: { ingestEvent: { id: expect.any(String) } } });
    expect(result.deviceReadingRules).toMatchObject({ errorType: 'Unauthorized' });
  });
});
