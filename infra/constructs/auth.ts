import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { deviceAuthorizer, tables, touchAttributes, userPool as definition } from '../resources.ts';
import { AlertsFunction } from './alerts-function.ts';

export interface AuthProps {
  /** Where device credentials are kept, as hashes; the authorizer reads them. */
  deviceCredentials: Table;
  /**
   * Invocations reserved for the authorizer; undefined reserves none. Reserving caps it too,
   * so a flood of forged tokens cannot take the concurrency the other functions need.
   */
  authorizerReservedConcurrency?: number | undefined;
}

/**
 * Who may call the API. People: a Cognito user pool (no self sign-up, e-mail sign-in, the
 * password policy of infra/resources.ts, optional TOTP MFA, threat protection) with the role
 * groups and the console's app client. Devices: the authorizer function that checks a
 * device credential against its stored hash, allowed to read a credential and record its
 * last use, nothing else.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly consoleClient: UserPoolClient;
  readonly deviceAuthorizer: AlertsFunction;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const policy = definition.passwordPolicy;
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: 'telemetry-alerts',
      selfSignUpEnabled: definition.selfSignUp,
      signInAliases: { email: definition.signInWithEmail },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // A changed address is used only once its owner has verified it.
      keepOriginal: { email: true },
      passwordPolicy: {
        minLength: policy.minLength,
        requireLowercase: policy.requireLowercase,
        requireUppercase: policy.requireUppercase,
        requireDigits: policy.requireDigits,
        requireSymbols: policy.requireSymbols,
        tempPasswordValidity: Duration.days(policy.temporaryPasswordValidityDays),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection blocks sign-ins with credentials known to be compromised
      // and answers risky sign-ins (adaptive authentication).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your telemetry alerts account',
        emailBody: `You have an account on the telemetry alerts console. User name: {username}. Temporary password: {####} (valid for ${policy.temporaryPasswordValidityDays} days); you choose your own at first sign-in.`,
      },
      // The pool holds the people and their roles: it survives a stack deletion or a
      // replacement, as the tables do, and CloudFormation cannot delete it by accident.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // What threat protection does, written out rather than left to the defaults: credentials
    // known to be leaked elsewhere are refused; a high-risk sign-in needs MFA (and is refused
    // for someone who has not set it up); a medium-risk one needs MFA where it is set up.
    new CfnUserPoolRiskConfigurationAttachment(this, 'ThreatProtection', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
      accountTakeoverRiskConfiguration: {
        actions: {
          highAction: { eventAction: 'MFA_REQUIRED', notify: false },
          mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          lowAction: { eventAction: 'NO_ACTION', notify: false },
        },
      },
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP only, no SMS): each person may add an authenticator app, and the Plus plan with threat protection asks for MFA on risky sign-ins; required MFA would lock out the first admin, whom create-admin invites by e-mail.',
    });

    const groups = Object.entries(definition.groups) as [keyof typeof definition.groups, string][];
    groups.forEach(([groupName, description], precedence) => {
      this.userPool.addGroup(`${capitalise(groupName)}Group`, {
        groupName,
        description,
        // Most powerful first: a person in several groups gets the strongest role's claims first.
        precedence,
      });
    });

    const client = definition.client;
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: client.name,
      generateSecret: false,
      // SRP only: the password never leaves the browser. Refresh tokens are always allowed.
      authFlows: { userSrp: true },
      disableOAuth: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.minutes(client.accessTokenValidityMinutes),
      idTokenValidity: Duration.minutes(client.idTokenValidityMinutes),
      refreshTokenValidity: Duration.days(client.refreshTokenValidityDays),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    const credentials = props.deviceCredentials;
    this.deviceAuthorizer = new AlertsFunction(this, 'DeviceAuthorizer', {
      entry: 'resolvers/device-authorizer.ts',
      description: 'AppSync Lambda authorizer: checks device credentials (ingest only)',
      memorySize: 256,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: props.authorizerReservedConcurrency,
      environment: {
        [tables.deviceCredentials.envVar]: credentials.tableName,
        // Its answers' ttlOverride: the same time as the API's cache.
        DEVICE_AUTH_CACHE_SECONDS: String(deviceAuthorizer.cacheTtlSeconds),
      },
    });
    // Reads one credential by id and records when it was last used (at most every
    // `lastUsedGranularitySeconds`); never lists, creates or deletes, and no index.
    this.deviceAuthorizer.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [credentials.tableArn] }),
    );
    // The update may name only the key and `lastUsedAt` (its update and condition
    // expressions, as DynamoDbCredentialStore.touch sends them) and returns nothing, so a
    // flaw in the authorizer cannot rewrite a credential's scope, name or hash.
    this.deviceAuthorizer.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [credentials.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...touchAttributes] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    );
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
