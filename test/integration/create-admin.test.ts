import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackName } from '../../infra/resources.ts';
import type { LocalStack } from '../../local/stack.ts';
import { CreateAdminError, main } from '../../scripts/create-admin.ts';
import { startTestStack } from '../support/local-stack.ts';
import { userPoolClient } from '../support/users.ts';

/*
 * `npm run create-admin` against the local stack's user pool, which (as Cognito does)
 * refuses administrator actions not signed with its own key.
 */

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'create-admin-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An outputs file as `npm start` writes it, with `outputs` in place of the stack's own. */
function outputsFile(name: string, outputs: Record<string, string | undefined>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ [stackName]: outputs }));
  return path;
}

describe('create-admin against the local stack', () => {
  it("given the local stack's outputs file, when the command runs, then the person exists in the pool and is in admins", async () => {
    // Prepare
    const file = outputsFile('outputs.json', { ...stack.outputs });
    const lines: string[] = [];

    // Act
    await main(['--email', 'first-admin@example.com', '--stack-outputs', file], undefined, (line) =>
      lines.push(line),
    );

    // Assess
    const cognito = userPoolClient(stack.outputs);
    const user = await cognito.send(
      new AdminGetUserCommand({
        UserPoolId: stack.outputs.UserPoolId,
        Username: 'first-admin@example.com',
      }),
    );
    expect(user.UserAttributes).toContainEqual({
      Name: 'email',
      Value: 'first-admin@example.com',
    });
    const { Groups = [] } = await cognito.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: stack.outputs.UserPoolId,
        Username: 'first-admin@example.com',
      }),
    );
    expect(Groups.map((group) => group.GroupName)).toEqual(['admins']);
    expect(lines).toEqual([expect.stringContaining('Created first-admin@example.com')]);
  });

  it('given an endpoint and an outputs file without the local key, then it refuses in one line that names the local outputs file, and creates nobody', async () => {
    // Prepare
    const { LocalAccessKeyId: _, LocalSecretAccessKey: __, ...withoutKey } = stack.outputs;
    const file = outputsFile('deployed.json', withoutKey);

    // Act
    const run = main(
      [
        '--email',
        'nobody@example.com',
        '--stack-outputs',
        file,
        '--endpoint',
        stack.outputs.CognitoEndpoint,
      ],
      undefined,
      () => undefined,
    );

    // Assess
    await expect(run).rejects.toThrow(CreateAdminError);
    await expect(run).rejects.toThrow('pass --stack-outputs .local/outputs.json');
    await expect(
      userPoolClient(stack.outputs).send(
        new AdminGetUserCommand({
          UserPoolId: stack.outputs.UserPoolId,
          Username: 'nobody@example.com',
        }),
      ),
    ).rejects.toThrow();
  });
});
