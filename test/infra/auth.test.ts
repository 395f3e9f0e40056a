import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { deviceAuthorizer, tables, userPool } from '../../infra/resources.ts';
import { resourcesOf, synthesize } from './synth.ts';

/*
 * Who may call the API, as the template says it: the user pool people sign in to, its
 * groups and the console's client; the device authorizer and what it may touch; the ingest
 * grant for AWS workloads. cdk-nag runs on every synthesize() (stack.test.ts checks it).
 */

let template: Template;

beforeAll(() => {
  template = synthesize();
}, 120_000);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The one resource of a type, with its logical id. */
function only(type: string) {
  const entries = Object.entries(resourcesOf(template, type));
  expect(entries, type).toHaveLength(1);
  const [logicalId, resource] = entries[0]!;
  return { logicalId, properties: resource.Properties, resource };
}

/** The function built from a handler file, with its logical id. */
function functionFor(entry: string) {
  const found = Object.entries(
    template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Metadata?: Record<string, string>; Properties: Record<string, unknown> }
    >,
  ).filter(([, fn]) => fn.Metadata?.['telemetry-alerts:entry'] === entry);
  expect(found, entry).toHaveLength(1);
  const [logicalId, fn] = found[0]!;
  return { logicalId, properties: fn.Properties };
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(fn: { properties: Record<string, unknown> }, from = template): Statement[] {
  const role = (fn.properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const inline = (resourcesOf(from, 'AWS::IAM::Role')[role]?.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  const attached = Object.values(resourcesOf(from, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(`"${role}"`),
  );
  return [
    ...inline.flatMap((p) => p.PolicyDocument.Statement),
    ...attached.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    ),
  ];
}

/** A CloudFormation string as text, references written as `{Logical.Attribute}` or `{Ref}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Fn::GetAtt' in intrinsic) return `{${(intrinsic['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Ref' in intrinsic) return `{${intrinsic.Ref as string}}`;
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}

/** The ARN of one field of the API, as the template writes it. */
const fieldArn = (api: string, field: string) =>
  `arn:{AWS::Partition}:appsync:{AWS::Region}:{AWS::AccountId}:apis/{${api}.ApiId}/types/${field.replace('.', '/fields/')}`;

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The device credentials table: the Storage construct names it by its id in resources.ts. */
const credentialsTable = () => {
  const found = Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table')).filter(([id]) =>
    id.startsWith(`Storage${tables.deviceCredentials.id}`),
  );
  expect(found).toHaveLength(1);
  const [logicalId, table] = found[0]!;
  return { logicalId, properties: table.Properties, resource: table };
};

describe('the user pool', () => {
  it('given the pool, then only admins create users, people sign in with their e-mail, and the password policy is the shared one', () => {
    const pool = only('AWS::Cognito::UserPool').properties;
    const policy = userPool.passwordPolicy;
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: policy.minLength,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
        },
      },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
    expect(policy.minLength).toBeGreaterThanOrEqual(12);
  });

  it('given MFA, then it is optional with TOTP only: no SMS factor and no phone number needed', () => {
    const pool = only('AWS::Cognito::UserPool').properties;
    expect(pool.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.SmsConfiguration).toBeUndefined();
  });

  it('given threat protection, then the pool is on the Plus plan, enforced, and blocks compromised credentials', () => {
    const pool = only('AWS::Cognito::UserPool');
    expect(pool.properties).toMatchObject({
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const risk = only('AWS::Cognito::UserPoolRiskConfigurationAttachment').properties;
    expect(risk).toMatchObject({
      UserPoolId: { Ref: pool.logicalId },
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: {
        Actions: { HighAction: { EventAction: 'MFA_REQUIRED' } },
      },
    });
  });

  it('given the pool holds people and their roles, then it is retained and protected from deletion', () => {
    const pool = only('AWS::Cognito::UserPool');
    expect(pool.properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.resource).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('given the roles, then the pool has the three groups, most powerful first, with their descriptions', () => {
    const pool = only('AWS::Cognito::UserPool').logicalId;
    const groups = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolGroup'))
      .map((g) => g.Properties)
      .sort((a, b) => (a.Precedence as number) - (b.Precedence as number));
    expect(groups).toEqual(
      Object.entries(userPool.groups).map(([GroupName, Description], Precedence) => ({
        GroupName,
        Description,
        Precedence,
        UserPoolId: { Ref: pool },
      })),
    );
    expect(groups.map((g) => g.GroupName)).toEqual(['admins', 'operators', 'viewers']);
  });

  it('given the console client, then it has no secret, signs in with SRP and refreshes, never sends a password, and hides whether a user exists', () => {
    const client = only('AWS::Cognito::UserPoolClient').properties;
    const settings = userPool.client;
    expect(client).toMatchObject({
      ClientName: settings.name,
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false,
      AccessTokenValidity: settings.accessTokenValidityMinutes,
      IdTokenValidity: settings.idTokenValidityMinutes,
      RefreshTokenValidity: settings.refreshTokenValidityDays * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    expect([...(client.ExplicitAuthFlows as string[])].sort()).toEqual([
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/USER_PASSWORD_AUTH/);
  });

  it('given the API, then its default mode is this pool, for tokens of the console client only', () => {
    const pool = only('AWS::Cognito::UserPool').logicalId;
    const client = only('AWS::Cognito::UserPoolClient').logicalId;
    const api = only('AWS::AppSync::GraphQLApi').properties;
    expect(api.AuthenticationType).toBe('AMAZON_COGNITO_USER_POOLS');
    expect(api.UserPoolConfig).toEqual({
      UserPoolId: { Ref: pool },
      AwsRegion: { Ref: 'AWS::Region' },
      DefaultAction: 'ALLOW',
      AppIdClientRegex: { 'Fn::Join': ['', ['^', { Ref: client }, '$']] },
    });
  });

  it('given the outputs, then UserPoolId and UserPoolClientId name the pool and the client', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.UserPoolId?.Value).toEqual({ Ref: only('AWS::Cognito::UserPool').logicalId });
    expect(outputs.UserPoolClientId?.Value).toEqual({
      Ref: only('AWS::Cognito::UserPoolClient').logicalId,
    });
    expect(outputs.ApiKey).toBeUndefined();
  });
});

describe('device credentials', () => {
  it('given the credentials table, then it is encrypted, has point-in-time recovery, is retained, and lists by its index', () => {
    const table = credentialsTable();
    expect(table.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'all' })],
    });
    expect(table.resource).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it("given the API's AWS_LAMBDA mode, then it calls the device authorizer, caches its answer for the configured TTL and lets AppSync refuse malformed tokens itself", () => {
    const authorizer = functionFor('resolvers/device-authorizer.ts');
    const api = only('AWS::AppSync::GraphQLApi').properties;
    const lambda = (api.AdditionalAuthenticationProviders as Record<string, unknown>[]).find(
      (mode) => mode.AuthenticationType === 'AWS_LAMBDA',
    );
    expect(lambda?.LambdaAuthorizerConfig).toEqual({
      AuthorizerUri: { 'Fn::GetAtt': [authorizer.logicalId, 'Arn'] },
      AuthorizerResultTtlInSeconds: deviceAuthorizer.cacheTtlSeconds,
      IdentityValidationExpression: deviceAuthorizer.tokenPattern,
    });
    expect(deviceAuthorizer.cacheTtlSeconds).toBe(300);
    // The pattern admits a device token and nothing shaped like a JWT or an API key.
    const pattern = new RegExp(deviceAuthorizer.tokenPattern);
    expect(pattern.test(`tad_${'a'.repeat(32)}_${'0'.repeat(64)}`)).toBe(true);
    expect(pattern.test('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(false);
    expect(pattern.test('da2-abcdefghijklmnopqrstuvwxyz')).toBe(false);
  });

  it('given the authorizer, then only AppSync, for this API, may invoke it', () => {
    const authorizer = functionFor('resolvers/device-authorizer.ts');
    const api = only('AWS::AppSync::GraphQLApi').logicalId;
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).filter(
      (p) =>
        JSON.stringify(p.Properties.FunctionName) ===
        JSON.stringify({ 'Fn::GetAtt': [authorizer.logicalId, 'Arn'] }),
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [authorizer.logicalId, 'Arn'] },
        Principal: 'appsync.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [api, 'Arn'] },
      },
    ]);
  });

  it('given the authorizer, then it may only get items of the credentials table and update their lastUsedAt: no index, no put, no delete, no other table', () => {
    const authorizer = functionFor('resolvers/device-authorizer.ts');
    const table = credentialsTable();
    expect(authorizer.properties).toMatchObject({
      Environment: {
        Variables: {
          [tables.deviceCredentials.envVar]: { Ref: table.logicalId },
          // The ttlOverride it answers with is the API's cache time.
          DEVICE_AUTH_CACHE_SECONDS: String(deviceAuthorizer.cacheTtlSeconds),
        },
      },
    });
    const dynamodb = statementsOf(authorizer).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamodb).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: { 'Fn::GetAtt': [table.logicalId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [table.logicalId, 'Arn'] },
        // Only the key and lastUsedAt may be named, and nothing is returned: not the scope,
        // the name, the revocation or the hash.
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['id', 'lastUsedAt'] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      },
    ]);
    // Besides its own logs and X-Ray, nothing else.
    const others = statementsOf(authorizer)
      .flatMap(actionsOf)
      .filter((a) => !a.startsWith('dynamodb:'))
      .sort();
    expect(others).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('given the credentials resolver, then it may put and update credentials and query the all index, nothing else', () => {
    const resolver = functionFor('resolvers/credentials.ts');
    const table = credentialsTable();
    expect(resolver.properties).toMatchObject({
      Environment: {
        Variables: { [tables.deviceCredentials.envVar]: { Ref: table.logicalId } },
      },
    });
    const dynamodb = statementsOf(resolver).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamodb.map((s) => ({ actions: actionsOf(s), resource: render(s.Resource) }))).toEqual([
      {
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resource: `{${table.logicalId}.Arn}`,
      },
      { actions: ['dynamodb:Query'], resource: `{${table.logicalId}.Arn}/index/all` },
    ]);
  });

  it('given the all index, then it copies the fields the list shows and never the secret hash', () => {
    const [index] = credentialsTable().properties.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }[];
    expect(index?.IndexName).toBe('all');
    expect(index?.Projection.ProjectionType).toBe('INCLUDE');
    expect([...(index?.Projection.NonKeyAttributes ?? [])].sort()).toEqual(
      [
        'name',
        'deviceIds',
        'deviceIdPrefix',
        'createdAt',
        'createdBy',
        'lastUsedAt',
        'revokedAt',
        'revokedBy',
      ].sort(),
    );
    expect(index?.Projection.NonKeyAttributes).not.toContain('secretHash');
  });
});

describe('the ingest grant', () => {
  it('given a role given the stack ingest grant, then it may call ingestEvent and ingestEvents of this API and nothing else', () => {
    // Prepare
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], console: false },
      outdir: mkdtempSync(join(tmpdir(), 'cdk-test-')),
    });
    const { stack } = buildApp(app);
    const gateway = new Role(stack, 'GatewayRole', { assumedBy: new AccountRootPrincipal() });

    // Act
    stack.grantIngest(gateway);
    app.synth(); // cdk-nag included

    // Assess
    const granted = Template.fromStack(stack);
    const api = Object.keys(resourcesOf(granted, 'AWS::AppSync::GraphQLApi'))[0]!;
    const role = Object.keys(resourcesOf(granted, 'AWS::IAM::Role')).find((id) =>
      id.startsWith('GatewayRole'),
    )!;
    const statements = Object.values(resourcesOf(granted, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'appsync:GraphQL' });
    expect((statements[0]?.Resource as unknown[]).map(render)).toEqual([
      fieldArn(api, 'Mutation.ingestEvent'),
      fieldArn(api, 'Mutation.ingestEvents'),
    ]);
  });

  it('given the stack alone, then only the worker and the check may call the API with IAM, on publishAlert only', () => {
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const api = only('AWS::AppSync::GraphQLApi').logicalId;
    const appsync = statements.filter((s) => actionsOf(s).includes('appsync:GraphQL'));
    expect(appsync).toHaveLength(2);
    for (const statement of appsync) {
      expect(render(statement.Resource)).toBe(fieldArn(api, 'Mutation.publishAlert'));
    }
  });
});
