import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAppSync } from '../../local/appsync/server.ts';
import { loadResolverCode } from '../../local/appsync/resolver-code.ts';
import { startLocalAppSync } from '../../local/appsync/server.ts';
import { createTestUserPool } from '../support/test-user-pool.ts';

const SDL =
  readFileSync(new URL('../../appsync.graphql', import.meta.url), 'utf8') +
  readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
const POOL = createTestUserPool();
const DEVICE_TOKEN = `tad_${'a'.repeat(32)}_${'b'.repeat(64)}`;
const IAM = { accessKeyId: 'AKIDAMPLIFYTEST', secretAccessKey: 'amplify-secret' };
const REGION = 'eu-west-1';
const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs in a child Node process (so NODE_EXTRA_CA_CERTS can make the self-signed certificate
 * trusted by fetch and the global WebSocket, which take no `ca` option). It uses Amplify JS v6
 * exactly as an app would, signed in through a token provider (Amplify's documented hook for
 * tokens it did not fetch itself) with a user-pool access token, and a device client with
 * `authMode: 'lambda'`, and reports what it saw as JSON lines on stdout.
 */
const AMPLIFY_CLIENT = /* JavaScript */ `
import { Amplify } from 'aws-amplify';
import { decodeJWT } from '@aws-amplify/core';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';

const report = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const { endpoint, region, accessToken, deviceToken } = JSON.parse(process.env.AMPLIFY_TEST_CONFIG);
Amplify.configure(
  { API: { GraphQL: { endpoint, region, defaultAuthMode: 'userPool' } } },
  { Auth: { tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(accessToken) }) } } },
);
const client = generateClient();

const device = generateClient({ authMode: 'lambda', authToken: deviceToken });
const ingested = await device.graphql({
  query: 'mutation ($input: EventInput!) { ingestEvent(input: $input) { id deviceId } }',
  variables: { input: { deviceId: 'demo-1', metric: 'temperature', value: 21 } },
});
report({ event: 'ingest', data: ingested.data });
try {
  await device.graphql({ query: 'query { rules { nextToken } }' });
  report({ event: 'no-error' });
} catch (failure) {
  report({ event: 'device-error', errors: failure.errors });
}

const rules = await client.graphql({ query: 'query { rules(limit: 2) { items { id metric } nextToken } }' });
report({ event: 'query', data: rules.data });

try {
  await client.graphql({ query: 'query { rule(id: "missing") { id } }' });
  report({ event: 'no-error' });
} catch (failure) {
  report({ event: 'query-error', errors: failure.errors });
}

Hub.listen('api', ({ payload }) => {
  if (payload.event === 'Subscription ack') report({ event: 'ready' });
});
const subscription = client
  .graphql({
    query: 'subscription ($deviceId: ID) { onAlert(deviceId: $deviceId) { id deviceId severity ruleName } }',
    variables: { deviceId: 'device-1' },
  })
  .subscribe({
    next: (message) => {
      report({ event: 'data', data: message.data });
      subscription.unsubscribe();
      setTimeout(() => process.exit(0), 50);
    },
    error: (error) => {
      report({ event: 'subscription-error', error: String(error?.message ?? JSON.stringify(error)) });
      process.exit(1);
    },
  });
setTimeout(() => {
  report({ event: 'timeout' });
  process.exit(2);
}, 20000);
`;

interface ChildLine {
  event: string;
  [key: string]: unknown;
}

async function publishAlert(graphqlUrl: string, id: string): Promise<number> {
  const target = new URL(graphqlUrl);
  const body = JSON.stringify({
    query: `mutation ($input: AlertInput!) { publishAlert(input: $input) { id deviceId severity } }`,
    variables: {
      input: {
        id,
        ruleId: 'rule-1',
        ruleName: 'too hot',
        deviceId: 'device-1',
        metric: 'temperature',
        value: 31,
        threshold: 30,
        operator: 'GT',
        severity: 'WARNING',
        status: 'FIRING',
        reason: 'THRESHOLD',
        firedAt: '2024-05-01T12:00:00Z',
      },
    },
  });
  const signed = await new SignatureV4({
    credentials: IAM,
    region: REGION,
    service: 'appsync',
    sha256: Sha256,
  }).sign(
    new HttpRequest({
      method: 'POST',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body,
    }),
  );
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: signed.headers as Record<string, string> },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('local AppSync endpoint with AWS Amplify JS v6', () => {
  let server: LocalAppSync;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    dir = mkdtempSync(join(tmpdir(), 'local-appsync-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, pems.cert);
    server = await startLocalAppSync({
      schemaSdl: SDL,
      authorization: {
        defaultAuthorization: {
          authorizationType: 'AMAZON_COGNITO_USER_POOLS',
          userPool: { issuer: POOL.issuer, jwks: POOL.jwks, appClientIds: [POOL.clientId] },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: 'AWS_LAMBDA',
            lambdaAuthorizer: {
              invoke: async (event) => ({
                isAuthorized: event.authorizationToken === DEVICE_TOKEN,
                resolverContext: { credentialName: 'sensor-1' },
                deniedFields: ['Query.rules'],
              }),
            },
          },
          { authorizationType: 'AWS_IAM', credentials: IAM },
        ],
      },
      region: REGION,
      lambdaResolvers: {
        'Mutation.ingestEvent': async (event) => ({
          id: 'reading-1',
          timestamp: '2024-05-01T12:00:00Z',
          ...(event.arguments.input as object),
        }),
        'Query.rules': async () => ({
          items: [
            {
              id: 'rule-1',
              metric: 'temperature',
              operator: 'GT',
              threshold: 30,
              enabled: true,
              severity: 'WARNING',
              createdAt: '2024-05-01T12:00:00Z',
              updatedAt: '2024-05-01T12:00:00Z',
            },
          ],
          nextToken: null,
        }),
        'Query.rule': async () => ({
          __error: { errorType: 'NotFoundError', message: 'Rule missing does not exist' },
        }),
      },
      lambdaResolverCode: loadResolverCode(
        readFileSync(new URL('../../infra/appsync/invoke-lambda.js', import.meta.url), 'utf8'),
      ),
      noneResolvers: ['Mutation.publishAlert'],
      port: 0,
      https: { port: 0, key: pems.private, cert: pems.cert },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given generateClient with a user-pool token and a device client with a token of its own, when they query, ingest and subscribe, then they get data, AppSync errors and the published alert over wss', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', AMPLIFY_CLIENT], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: caFile,
        AMPLIFY_TEST_CONFIG: JSON.stringify({
          endpoint: server.httpsGraphqlUrl,
          region: REGION,
          accessToken: POOL.token({ use: 'access', username: 'viewer', groups: ['viewers'] }),
          deviceToken: DEVICE_TOKEN,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: ChildLine[] = [];
    let stderr = '';
    let buffered = '';
    let published = false;
    const finished = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as ChildLine;
        lines.push(parsed);
        if (parsed.event === 'ready' && !published) {
          published = true;
          void publishAlert(server.graphqlUrl, 'alert-amplify');
        }
      }
    });
    const code = await finished;
    expect({ code, lines, stderr: code === 0 ? '' : stderr }).toMatchObject({ code: 0 });
    expect(lines.find((l) => l.event === 'ingest')).toEqual({
      event: 'ingest',
      data: { ingestEvent: { id: 'reading-1', deviceId: 'demo-1' } },
    });
    const deviceError = lines.find((l) => l.event === 'device-error') as
      { errors: Array<Record<string, unknown>> } | undefined;
    expect(deviceError?.errors[0]).toMatchObject({ errorType: 'Unauthorized' });
    expect(lines.find((l) => l.event === 'query')).toEqual({
      event: 'query',
      data: { rules: { items: [{ id: 'rule-1', metric: 'temperature' }], nextToken: null } },
    });
    const queryError = lines.find((l) => l.event === 'query-error') as
      { errors: Array<Record<string, unknown>> } | undefined;
    expect(queryError?.errors[0]).toMatchObject({
      errorType: 'NotFoundError',
      message: 'Rule missing does not exist',
    });
    expect(lines.find((l) => l.event === 'data')).toEqual({
      event: 'data',
      data: {
        onAlert: { id: 'alert-amplify', deviceId: 'device-1', severity: 'WARNING', ruleName: null },
      },
    });
  });
});
