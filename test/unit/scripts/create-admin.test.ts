import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  type CognitoAdminClient,
  cognitoClient,
  CreateAdminError,
  createAdmin,
  main,
  parseArguments,
  type UserPoolTarget,
  userPoolFrom,
} from '../../../scripts/create-admin.ts';

/** A Cognito client that records the commands and answers each with the next reply. */
function fakeCognito(...replies: (Error | undefined)[]) {
  const sent: (AdminCreateUserCommand | AdminAddUserToGroupCommand)[] = [];
  const client: CognitoAdminClient = {
    async send(command) {
      sent.push(command);
      const reply = replies.shift();
      if (reply) throw reply;
      return {};
    },
  };
  return { client, sent };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

function outputsFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'create-admin-')), 'cdk-outputs.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const deployed = {
  TelemetryAlerts: {
    GraphQLUrl: 'https://example.appsync-api.eu-west-1.amazonaws.com/graphql',
    Region: 'eu-west-1',
    UserPoolId: 'eu-west-1_AbC123',
    UserPoolClientId: '1example23456789',
  },
};

const local = {
  TelemetryAlerts: {
    Region: 'us-east-1',
    UserPoolId: 'local_1a2b3c',
    CognitoEndpoint: 'http://localhost:4003',
    LocalAccessKeyId: 'AKIALOCAL1234',
    LocalSecretAccessKey: 'local-secret',
  },
};

describe('create-admin arguments', () => {
  it('given an e-mail only, then the outputs file is cdk-outputs.json and no endpoint is set', () => {
    expect(parseArguments(['--email', 'ada@example.com'])).toEqual({
      email: 'ada@example.com',
      stackOutputs: 'cdk-outputs.json',
      endpoint: undefined,
    });
  });

  it('given every option, then each is taken', () => {
    expect(
      parseArguments([
        '--stack-outputs',
        '.local/outputs.json',
        '--email',
        'ada@example.com',
        '--endpoint',
        'http://localhost:4003',
      ]),
    ).toEqual({
      email: 'ada@example.com',
      stackOutputs: '.local/outputs.json',
      endpoint: 'http://localhost:4003',
    });
  });

  it.each([
    [[], 'Missing --email'],
    [['--email'], '--email needs a value'],
    [['--email', '--stack-outputs', 'x.json'], '--email needs a value'],
    [['--email', 'not-an-address'], "Not an e-mail address: 'not-an-address'"],
    [['--email', 'ada@example'], "Not an e-mail address: 'ada@example'"],
    [['--mail', 'ada@example.com'], 'Unknown option --mail'],
  ])('given %j, then it is refused in one line that says how to call it', (args, message) => {
    const refuse = () => parseArguments(args);
    expect(refuse).toThrow(CreateAdminError);
    expect(refuse).toThrow(message);
    try {
      refuse();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toContain('Usage: npm run create-admin -- --email');
    }
  });
});

describe('create-admin outputs file', () => {
  it('given the file cdk deploy writes, then the pool and its region come from it', () => {
    expect(userPoolFrom(outputsFile(deployed))).toEqual({
      userPoolId: 'eu-west-1_AbC123',
      region: 'eu-west-1',
      endpoint: undefined,
      credentials: undefined,
    });
  });

  it('given no Region output, then the region is the one the pool id starts with', () => {
    const file = outputsFile({ TelemetryAlerts: { UserPoolId: 'us-east-2_Xyz789' } });
    expect(userPoolFrom(file).region).toBe('us-east-2');
  });

  it("given the local stack's outputs, then its Cognito endpoint and its access key are used", () => {
    const file = outputsFile(local);
    expect(userPoolFrom(file)).toMatchObject({
      endpoint: 'http://localhost:4003',
      credentials: { accessKeyId: 'AKIALOCAL1234', secretAccessKey: 'local-secret' },
    });
  });

  it.each([
    ['a missing file', () => '/nonexistent/cdk-outputs.json', 'No stack outputs at'],
    ['a file that is not JSON', () => outputsFile('not json'), 'is not JSON'],
    [
      'outputs without UserPoolId (a stack from before sign-in)',
      () => outputsFile({ TelemetryAlerts: { ApiKey: 'da2-x' } }),
      'No UserPoolId in',
    ],
  ])('given %s, then it says what to do in one line', (_, file, message) => {
    const path = file();
    expect(() => userPoolFrom(path)).toThrow(CreateAdminError);
    expect(() => userPoolFrom(path)).toThrow(message);
  });
});

describe('create-admin calls', () => {
  it('given a new address, when the admin is created, then Cognito e-mails the invitation with the address verified, and the person joins admins', async () => {
    // Prepare
    const { client, sent } = fakeCognito();

    // Act
    const outcome = await createAdmin(client, 'eu-west-1_AbC123', 'ada@example.com');

    // Assess
    expect(outcome).toBe('created');
    expect(sent.map((command) => command.constructor)).toEqual([
      AdminCreateUserCommand,
      AdminAddUserToGroupCommand,
    ]);
    expect(sent[0]?.input).toEqual({
      UserPoolId: 'eu-west-1_AbC123',
      Username: 'ada@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    // Cognito makes the temporary password; the script never holds one.
    expect(JSON.stringify(sent[0]?.input)).not.toMatch(/Password/);
    expect(sent[1]?.input).toEqual({
      UserPoolId: 'eu-west-1_AbC123',
      Username: 'ada@example.com',
      GroupName: 'admins',
    });
  });

  it('given the person already exists, then they are only added to admins', async () => {
    const { client, sent } = fakeCognito(named('UsernameExistsException'));
    await expect(createAdmin(client, 'eu-west-1_AbC123', 'ada@example.com')).resolves.toBe(
      'existing',
    );
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBeInstanceOf(AdminAddUserToGroupCommand);
  });

  it('given an unknown pool, then it says which pool and what to check, and adds nobody to a group', async () => {
    const { client, sent } = fakeCognito(
      named('ResourceNotFoundException', 'User pool eu-west-1_AbC123 does not exist.'),
    );
    const call = createAdmin(client, 'eu-west-1_AbC123', 'ada@example.com');
    await expect(call).rejects.toThrow(CreateAdminError);
    await expect(call).rejects.toThrow('Unknown user pool eu-west-1_AbC123');
    expect(sent).toHaveLength(1);
  });

  it('given no AWS credentials, then it says to sign in', async () => {
    const { client } = fakeCognito(named('CredentialsProviderError', 'Could not load credentials'));
    await expect(createAdmin(client, 'eu-west-1_AbC123', 'ada@example.com')).rejects.toThrow(
      'No AWS credentials',
    );
  });

  it("given the local stack's outputs file and an endpoint, when the command runs, then it talks to that endpoint with the local key and prints one line without a password", async () => {
    // Prepare
    const { client, sent } = fakeCognito();
    const targets: UserPoolTarget[] = [];
    const lines: string[] = [];
    const file = outputsFile(local);

    // Act
    await main(
      ['--email', 'ada@example.com', '--stack-outputs', file, '--endpoint', 'http://127.0.0.1:9'],
      (target) => {
        targets.push(target);
        return client;
      },
      (line) => lines.push(line),
    );

    // Assess
    expect(targets).toEqual([
      {
        userPoolId: 'local_1a2b3c',
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'AKIALOCAL1234', secretAccessKey: 'local-secret' },
      },
    ]);
    expect(sent).toHaveLength(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Created ada@example.com in local_1a2b3c');
    expect(lines[0]).toContain('e-mailed them a temporary password');
  });

  it.each([
    ['a deployed stack', () => outputsFile(deployed)],
    ['no', () => '/nonexistent/cdk-outputs.json'],
  ])(
    'given an endpoint and %s outputs file, then it refuses in one line that says to pass the local outputs, and calls nothing',
    async (_, file) => {
      const { client, sent } = fakeCognito();
      const run = main(
        [
          '--email',
          'ada@example.com',
          '--stack-outputs',
          file(),
          '--endpoint',
          'http://127.0.0.1:9',
        ],
        () => client,
        () => undefined,
      );
      await expect(run).rejects.toThrow(CreateAdminError);
      await expect(run).rejects.toThrow(/pass --stack-outputs \.local\/outputs\.json[^\n]*$/);
      expect(sent).toHaveLength(0);
    },
  );

  it('given a deployed stack, then the client uses AWS and the ambient AWS credentials, not a local key', async () => {
    const client = cognitoClient({
      userPoolId: 'eu-west-1_AbC123',
      region: 'eu-west-1',
      endpoint: undefined,
      credentials: undefined,
    }) as CognitoIdentityProviderClient;
    expect(client.config.endpoint).toBeUndefined();
    expect(await client.config.region()).toBe('eu-west-1');
  });
});
