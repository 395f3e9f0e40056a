/**
 * Child process of the endpoint comparison: serves one GraphQL server on a free loopback
 * port, on its own event loop (and core), so the load generator in the parent does not
 * share a thread with it. `node bench/endpoint-server.ts local|baseline|baseline-uncached`;
 * prints one JSON line `{ "graphqlUrl", "authorization" }` when ready (the URL, and a
 * user-pool ID token of a user in `admins` the server accepts), and stops on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import type { AppSyncResolverEvent } from 'aws-lambda';
import { deviceAuthorizer, noneResolverFields, resolverFunctions } from '../infra/resources.ts';
import { loadResolverCode } from '../local/appsync/resolver-code.ts';
import { startLocalAppSync } from '../local/appsync/server.ts';
import { startBaselineServer } from './baseline-server.ts';
import { repoRoot } from './support.ts';
import { createBenchTokenIssuer } from './token-issuer.ts';
import { trivialResolve } from './trivial-resolvers.ts';

const kind = process.argv[2];
const host = '127.0.0.1';
const schemaSdl = ['appsync.graphql', 'schema.graphql']
  .map((file) => readFileSync(new URL(file, repoRoot), 'utf8'))
  .join('\n');
const tokens = createBenchTokenIssuer();

type Invoke = (event: AppSyncResolverEvent<Record<string, unknown>>) => Promise<unknown>;

let server: { graphqlUrl: string; close(): Promise<void> };
if (kind === 'local') {
  const lambdaResolvers: Record<string, Invoke> = {};
  for (const fields of Object.values(resolverFunctions)) {
    for (const field of fields) {
      lambdaResolvers[field] = async (event) => trivialResolve(field, event.arguments);
    }
  }
  server = await startLocalAppSync({
    schemaSdl,
    // The product's modes: user pool by default, device credentials and IAM beside it.
    authorization: {
      defaultAuthorization: {
        authorizationType: 'AMAZON_COGNITO_USER_POOLS',
        userPool: { issuer: tokens.issuer, jwks: tokens.jwks, appClientIds: [tokens.clientId] },
      },
      additionalAuthorizationModes: [
        {
          authorizationType: 'AWS_LAMBDA',
          lambdaAuthorizer: {
            // Never reached: the load's token is a JWT, which goes to the user pool.
            invoke: async () => ({ isAuthorized: false }),
            ttlSeconds: deviceAuthorizer.cacheTtlSeconds,
            identityValidationExpression: deviceAuthorizer.tokenPattern,
          },
        },
        {
          authorizationType: 'AWS_IAM',
          credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'benchmark-secret' },
        },
      ],
    },
    region: 'us-east-1',
    lambdaResolvers,
    lambdaResolverCode: loadResolverCode(
      readFileSync(new URL('infra/appsync/invoke-lambda.js', repoRoot), 'utf8'),
    ),
    noneResolvers: [...noneResolverFields],
    host,
    port: 0,
    logger: {
      info: () => {},
      warn: () => {},
      error: (message, extra) => console.error(`[local-appsync] ${message}`, extra ?? ''),
    },
  });
} else if (kind === 'baseline' || kind === 'baseline-uncached') {
  server = await startBaselineServer({
    schemaSdl,
    userPool: tokens,
    host,
    port: 0,
    cacheDocuments: kind === 'baseline',
  });
} else {
  throw new Error(
    `Usage: node bench/endpoint-server.ts local|baseline|baseline-uncached (got '${kind}')`,
  );
}

const authorization = tokens.idToken(['admins']);
process.stdout.write(`${JSON.stringify({ graphqlUrl: server.graphqlUrl, authorization })}\n`);
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
