import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AppSyncAuthorizerEvent, AppSyncResolverEvent } from 'aws-lambda';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {
  AuthorizationConfig,
  CognitoUserPoolConfig,
  LambdaInvoke,
  LocalAppSync,
  Logger,
} from '../../local/appsync/server.ts';
import { loadResolverCode } from '../../local/appsync/resolver-code.ts';
import { startLocalAppSync } from '../../local/appsync/server.ts';
import { createTestUserPool, serveJwks, tamperedToken } from '../support/test-user-pool.ts';

const SDL =
  readFileSync(new URL('../../appsync.graphql', import.meta.url), 'utf8') +
  readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
const API_KEY = 'da2-localtestkey';
const IAM = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' };
const ACCOUNT_ID = '123456789012';
const API_ID = 'local-test';
const REGION = 'eu-west-1';

/** The test user pool: its keys sign the tokens below, its JWKS is what the endpoint trusts. */
const POOL = createTestUserPool();
const ADMIN = POOL.token({ username: 'admin@example.com', groups: ['admins'] });
const OPERATOR = POOL.token({ username: 'operator@example.com', groups: ['operators'] });
const VIEWER = POOL.token({ username: 'viewer@example.com' });

/** Device tokens the fake authorizer knows, in the product's `tad_<id>_<secret>` shape. */
const deviceToken = (digit: string) => `tad_${digit.repeat(32)}_${digit.repeat(64)}`;
const DEVICE = deviceToken('1');
const DEVICE_DENIED_BY_ARN = deviceToken('2');
const DEVICE_UNCACHED = deviceToken('3');
const REVOKED_DEVICE = deviceToken('4');
const BROKEN_AUTHORIZER = deviceToken('5');
const DEVICE_CACHED = deviceToken('7');
const TOKEN_PATTERN = '^tad_[0-9a-f]{32}_[0-9a-f]{64}$';
const authorizerCalls: AppSyncAuthorizerEvent[] = [];

/** Stands in for the device authorizer function: AppSync's request in, its answer out. */
async function fakeDeviceAuthorizer(event: AppSyncAuthorizerEvent): Promise<unknown> {
  authorizerCalls.push(event);
  const context = { credentialId: 'cred-1', credentialName: 'sensor-1' };
  switch (event.authorizationToken) {
    case DEVICE:
      return {
        isAuthorized: true,
        resolverContext: context,
        deniedFields: ['Mutation.ingestEvents'],
        ttlOverride: 300,
      };
    case DEVICE_DENIED_BY_ARN:
      return {
        isAuthorized: true,
        resolverContext: context,
        deniedFields: [
          `arn:aws:appsync:${REGION}:${ACCOUNT_ID}:apis/${API_ID}/types/Mutation/fields/ingestEvent`,
        ],
        ttlOverride: 300,
      };
    case DEVICE_UNCACHED:
      return { isAuthorized: true, resolverContext: context, ttlOverride: 0 };
    case DEVICE_CACHED:
      return { isAuthorized: true, resolverContext: context, ttlOverride: 300 };
    case BROKEN_AUTHORIZER:
      throw new Error('credentials table unreachable');
    default:
      return { isAuthorized: false };
  }
}

/** The product's modes: user pool by default, device credentials (AWS_LAMBDA) and AWS_IAM. */
function productAuthorization(userPool: Partial<CognitoUserPoolConfig> = {}): AuthorizationConfig {
  return {
    defaultAuthorization: {
      authorizationType: 'AMAZON_COGNITO_USER_POOLS',
      userPool: {
        issuer: POOL.issuer,
        jwks: POOL.jwks,
        appClientIds: [POOL.clientId],
        ...userPool,
      },
    },
    additionalAuthorizationModes: [
      {
        authorizationType: 'AWS_LAMBDA',
        lambdaAuthorizer: {
          invoke: fakeDeviceAuthorizer,
          identityValidationExpression: TOKEN_PATTERN,
        },
      },
      { authorizationType: 'AWS_IAM', credentials: IAM },
    ],
  };
}

/** What every endpoint in these tests shares; each test server adds or overrides. */
const BASE_OPTIONS = {
  schemaSdl: SDL,
  authorization: productAuthorization(),
  region: REGION,
  accountId: ACCOUNT_ID,
  apiId: API_ID,
  noneResolvers: ['Mutation.publishAlert'],
  port: 0,
};

type Event = AppSyncResolverEvent<Record<string, unknown>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames and bodies are checked by assertions, not types
type Json = Record<string, any>;

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Json;
}

/** POSTs (or sends `method`) to a URL with node:http(s), trusting `ca` for TLS. */
function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: options.method ?? 'POST', headers: options.headers, ca: options.ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json;
          try {
            json = text ? JSON.parse(text) : {};
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function graphql(
  url: string,
  body: { query: string; variables?: Json; operationName?: string },
  headers: Record<string, string> = { authorization: ADMIN },
  ca?: string,
): Promise<HttpResult> {
  return call(url, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ca,
  });
}

/** Signs a GraphQL POST as an AWS_IAM caller would (smithy's SigV4 signer, service appsync). */
async function signedGraphql(
  url: string,
  body: { query: string; variables?: Json },
  options: { secretAccessKey?: string; signingDate?: Date } = {},
): Promise<HttpResult> {
  const target = new URL(url);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: IAM.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? IAM.secretAccessKey,
    },
    region: REGION,
    service: 'appsync',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body: text,
    }),
    { signingDate: options.signingDate ?? new Date() },
  );
  return call(url, { headers: signed.headers as Record<string, string>, body: text });
}

interface WsClient {
  ws: WebSocket;
  messages: Json[];
  send(message: Json | string): void;
  /** Resolves with the first not-yet-taken message matching `predicate`, within a deadline. */
  next(predicate: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
  close(): Promise<void>;
}

function authHeader(host: string, token = ADMIN): Json {
  return { host, Authorization: token };
}

function openWs(
  url: string,
  options: { header?: Json; via?: 'protocol' | 'query'; ca?: string } = {},
): Promise<WsClient> {
  const header = options.header ?? authHeader(new URL(url).host);
  let target = url;
  const protocols = ['graphql-ws'];
  if (options.via === 'query') {
    const encoded = Buffer.from(JSON.stringify(header)).toString('base64');
    target = `${url}?header=${encodeURIComponent(encoded)}&payload=e30%3D`;
  } else {
    protocols.push(`header-${Buffer.from(JSON.stringify(header)).toString('base64url')}`);
  }
  const ws = new WebSocket(target, protocols, options.ca ? { ca: options.ca } : {});
  const messages: Json[] = [];
  const taken = new Set<Json>();
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const waiter of [...waiters]) waiter();
  });
  ws.on('close', () => {
    for (const waiter of [...waiters]) waiter();
  });
  const client: WsClient = {
    ws,
    messages,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => !taken.has(m) && predicate(m));
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `No matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

function startMessage(id: string, query: string, variables: Json, host: string, token = ADMIN) {
  return {
    id,
    type: 'start',
    payload: {
      data: JSON.stringify({ query, variables }),
      extensions: { authorization: authHeader(host, token) },
    },
  };
}

class NotFoundError extends Error {
  override name = 'NotFoundError';
}

const silentLogger = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => lines.push(`info ${msg}`),
    warn: (msg) => lines.push(`warn ${msg}`),
    error: (msg) => lines.push(`error ${msg}`),
  };
};

const ALERT_INPUT = {
  id: 'alert-1',
  ruleId: 'rule-1',
  ruleName: 'too hot',
  deviceId: 'device-1',
  metric: 'temperature',
  value: 31.5,
  threshold: 30,
  operator: 'GT',
  severity: 'CRITICAL',
  status: 'FIRING',
  reason: 'THRESHOLD',
  eventId: 'event-1',
  eventTimestamp: '2024-05-01T12:00:00.000Z',
  firedAt: '2024-05-01T12:00:01.000Z',
};

const PUBLISH_ALERT = /* GraphQL */ `
  mutation Publish($input: AlertInput!) {
    publishAlert(input: $input) {
      id
      deviceId
      severity
      firedAt
    }
  }
`;

const ON_ALERT = /* GraphQL */ `
  subscription OnAlert($deviceId: ID) {
    onAlert(deviceId: $deviceId) {
      id
      deviceId
      severity
      firedAt
      ruleName
      eventId
    }
  }
`;

describe('local AppSync endpoint', () => {
  let server: LocalAppSync;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  const events: Event[] = [];
  /** Every resolver invocation: a refused call must add nothing here. */
  const resolved: Array<{ key: string; identity: unknown }> = [];
  const logger = silentLogger();
  const ingested = (input: Json) => ({
    id: 'reading-1',
    timestamp: '2024-05-01T12:00:00.000Z',
    ...input,
  });

  const lambdaResolvers: Record<string, LambdaInvoke> = {
    'Query.events': async (event) => {
      events.push(event);
      return {
        items: [
          {
            id: 'event-1',
            deviceId: event.arguments.deviceId,
            metric: 'temperature',
            value: 21.5,
            timestamp: '2024-05-01T12:00:00.000Z',
          },
        ],
        nextToken: null,
      };
    },
    'Query.rule': async (event) => {
      if (event.arguments.id === 'missing') throw new NotFoundError('Rule missing does not exist');
      throw new Error('database unreachable');
    },
    'Mutation.createRule': async (event) => {
      const input = event.arguments.input as Json;
      return {
        id: 'rule-9',
        ...input,
        enabled: true,
        severity: input.severity ?? 'WARNING',
        createdAt: '2024-05-01T12:00:00.000Z',
        updatedAt: '2024-05-01T12:00:00.000Z',
      };
    },
    'Mutation.ingestEvent': async (event) => ingested(event.arguments.input as Json),
    'Mutation.ingestEvents': async (event) => {
      const inputs = event.arguments.input as Json[];
      return {
        accepted: inputs.length,
        rejected: 0,
        results: inputs.map((input, index) => ({ index, event: ingested(input), error: null })),
      };
    },
    'Query.deviceCredentials': async () => ({ items: [], nextToken: null }),
  };

  beforeAll(async () => {
    jwks = await serveJwks(POOL.jwks);
    const recorded: Record<string, LambdaInvoke> = {};
    for (const [key, invoke] of Object.entries(lambdaResolvers)) {
      recorded[key] = (event) => {
        resolved.push({ key, identity: event.identity });
        return invoke(event);
      };
    }
    server = await startLocalAppSync({
      ...BASE_OPTIONS,
      // The pool's keys come from its JWKS URI, as AppSync fetches them.
      authorization: productAuthorization({ jwks: undefined, jwksUri: jwks.url }),
      lambdaResolvers: recorded,
      logger,
    });
  });

  afterAll(async () => {
    await server?.close();
    await jwks?.close();
  });

  describe('HTTP authorization', () => {
    it('given no credentials, when a query is posted, then it answers 401 UnauthorizedException', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ rules { nextToken } }' }, {});
      expect(res.status).toBe(401);
      expect(res.json).toEqual({
        errors: [
          {
            errorType: 'UnauthorizedException',
            message: 'You are not authorized to make this call.',
          },
        ],
      });
    });

    it('given an old API key, when a query is posted to an API without API_KEY, then it answers 401 UnauthorizedException', async () => {
      const res = await graphql(
        server.graphqlUrl,
        { query: '{ rules { nextToken } }' },
        { 'x-api-key': API_KEY },
      );
      expect(res.status).toBe(401);
      expect(res.json.errors[0]).toEqual({
        errorType: 'UnauthorizedException',
        message: 'You are not authorized to make this call.',
      });
    });

    it('given an admin, when publishAlert is called, then the field is null with an Unauthorized error and other fields still resolve', async () => {
      const res = await graphql(server.graphqlUrl, {
        query: `mutation ($input: AlertInput!) {
          publishAlert(input: $input) { id }
          createRule(input: { metric: "temperature", operator: GT, threshold: 30 }) { id metric }
        }`,
        variables: { input: ALERT_INPUT },
      });
      expect(res.status).toBe(200);
      expect(res.json.data).toEqual({
        publishAlert: null,
        createRule: { id: 'rule-9', metric: 'temperature' },
      });
      expect(res.json.errors).toEqual([
        {
          path: ['publishAlert'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: [{ line: 2, column: 11, sourceName: null }],
          message: 'Not Authorized to access publishAlert on type Mutation',
        },
      ]);
    });

    it('given a correctly SigV4-signed request, when publishAlert is called, then the alert is returned', async () => {
      const res = await signedGraphql(server.graphqlUrl, {
        query: PUBLISH_ALERT,
        variables: { input: ALERT_INPUT },
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        data: {
          publishAlert: {
            id: 'alert-1',
            deviceId: 'device-1',
            severity: 'CRITICAL',
            firedAt: '2024-05-01T12:00:01.000Z',
          },
        },
      });
    });

    it('given a request signed with the wrong secret, when it is posted, then it answers 401', async () => {
      const res = await signedGraphql(
        server.graphqlUrl,
        { query: PUBLISH_ALERT, variables: { input: ALERT_INPUT } },
        { secretAccessKey: 'not-the-secret' },
      );
      expect(res.status).toBe(401);
      expect(res.json.errors[0].errorType).toBe('UnauthorizedException');
      expect(res.json.errors[0].message).toMatch(
        /^The request signature we calculated does not match/,
      );
    });

    it('given a signature dated ten minutes ago, when it is posted, then it answers 401', async () => {
      const res = await signedGraphql(
        server.graphqlUrl,
        { query: PUBLISH_ALERT, variables: { input: ALERT_INPUT } },
        { signingDate: new Date(Date.now() - 10 * 60 * 1000) },
      );
      expect(res.status).toBe(401);
      expect(res.json.errors[0].errorType).toBe('UnauthorizedException');
      expect(res.json.errors[0].message).toMatch(/^Signature expired/);
    });

    it('given a signed request whose body was changed after signing, when it is posted, then it answers 401', async () => {
      const target = new URL(server.graphqlUrl);
      const body = JSON.stringify({ query: PUBLISH_ALERT, variables: { input: ALERT_INPUT } });
      const signed = await new SignatureV4({
        credentials: IAM,
        region: REGION,
        service: 'appsync',
        sha256: Sha256,
        applyChecksum: false,
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
      const res = await call(server.graphqlUrl, {
        headers: signed.headers as Record<string, string>,
        body: body.replace('alert-1', 'alert-2'),
      });
      expect(res.status).toBe(401);
    });
  });

  describe('user-pool tokens (AMAZON_COGNITO_USER_POOLS, the default mode)', () => {
    const CREATE_RULE = `mutation { createRule(input: { metric: "temperature", operator: GT, threshold: 30 }) { id } }`;

    it.each([
      [
        'an expired token',
        () => POOL.token({ groups: ['admins'], expiresIn: -60 }),
        'Token has expired.',
      ],
      [
        'a token from another issuer',
        () =>
          POOL.token({
            groups: ['admins'],
            issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other',
          }),
        'You are not authorized to make this call.',
      ],
      [
        'a token signed with another key',
        () => POOL.token({ groups: ['admins'], otherKey: true }),
        'You are not authorized to make this call.',
      ],
      [
        'an unsigned token (alg none)',
        () => POOL.unsignedToken({ groups: ['admins'] }),
        'Unable to parse JWT token.',
      ],
      [
        'a payload changed after signing',
        () => tamperedToken(VIEWER, { 'cognito:groups': ['admins'] }),
        'You are not authorized to make this call.',
      ],
      [
        'a token for another app client',
        () => POOL.token({ groups: ['admins'], clientId: 'other-client' }),
        'You are not authorized to make this call.',
      ],
    ])(
      'given %s, when a mutation is posted, then it answers 401 and no resolver runs',
      async (_, token, message) => {
        resolved.length = 0;
        authorizerCalls.length = 0;
        const res = await graphql(
          server.graphqlUrl,
          { query: CREATE_RULE },
          { authorization: token() },
        );
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ errors: [{ errorType: 'UnauthorizedException', message }] });
        expect(resolved).toEqual([]);
        // A JWT is never handed to the Lambda authorizer while the API has a user-pool mode.
        expect(authorizerCalls).toEqual([]);
      },
    );

    it('given a viewer (no group), when createRule is posted, then the field is Unauthorized and its resolver does not run, while reading rules works', async () => {
      resolved.length = 0;
      const res = await graphql(
        server.graphqlUrl,
        { query: CREATE_RULE },
        { authorization: VIEWER },
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            path: ['createRule'],
            errorType: 'Unauthorized',
            message: 'Not Authorized to access createRule on type Mutation',
          }),
        ],
      });
      expect(resolved).toEqual([]);
      const read = await graphql(
        server.graphqlUrl,
        { query: '{ deviceCredentials { nextToken } }' },
        { authorization: VIEWER },
      );
      expect(read.json.errors[0]).toMatchObject({
        errorType: 'Unauthorized',
        path: ['deviceCredentials'],
      });
      expect(resolved).toEqual([]);
    });

    it('given an operator, when createRule is posted, then it runs with the operator as the identity', async () => {
      resolved.length = 0;
      const res = await graphql(
        server.graphqlUrl,
        { query: CREATE_RULE },
        { authorization: OPERATOR },
      );
      expect(res.json).toEqual({ data: { createRule: { id: 'rule-9' } } });
      expect(resolved).toEqual([
        {
          key: 'Mutation.createRule',
          identity: expect.objectContaining({
            username: 'operator@example.com',
            groups: ['operators'],
          }),
        },
      ]);
    });

    it('given an operator, when ingestEvent (admins among users) is posted, then it is Unauthorized', async () => {
      resolved.length = 0;
      const res = await graphql(
        server.graphqlUrl,
        {
          query: 'mutation { ingestEvent(input: { deviceId: "d", metric: "m", value: 1 }) { id } }',
        },
        { authorization: OPERATOR },
      );
      expect(res.json.errors[0]).toMatchObject({
        errorType: 'Unauthorized',
        path: ['ingestEvent'],
      });
      expect(resolved).toEqual([]);
    });

    it('given an access token (what Amplify sends), when rules are read, then the user is admitted', async () => {
      const res = await graphql(
        server.graphqlUrl,
        { query: '{ deviceCredentials { nextToken } }' },
        { authorization: POOL.token({ use: 'access', username: 'admin', groups: ['admins'] }) },
      );
      expect(res.json).toEqual({ data: { deviceCredentials: { nextToken: null } } });
    });
  });

  describe('device credentials (AWS_LAMBDA)', () => {
    const INGEST = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id deviceId value } }`;
    const INGEST_MANY = `mutation { ingestEvents(input: [{ deviceId: "demo-1", metric: "m", value: 1 }]) { accepted } }`;
    const reading = { deviceId: 'demo-1', metric: 'temperature', value: 21 };

    it('given a device token, when ingestEvent is posted, then the authorizer got AppSync\u2019s request and the resolver gets its resolverContext', async () => {
      resolved.length = 0;
      authorizerCalls.length = 0;
      const res = await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading }, operationName: 'Ingest' },
        { authorization: DEVICE_UNCACHED },
      );
      expect(res.json).toEqual({
        data: { ingestEvent: { id: 'reading-1', deviceId: 'demo-1', value: 21 } },
      });
      expect(authorizerCalls).toEqual([
        {
          authorizationToken: DEVICE_UNCACHED,
          requestContext: {
            apiId: API_ID,
            accountId: ACCOUNT_ID,
            requestId: expect.any(String),
            queryString: INGEST,
            operationName: 'Ingest',
            variables: { input: reading },
          },
          requestHeaders: expect.objectContaining({
            authorization: DEVICE_UNCACHED,
            'content-type': 'application/json',
          }),
        },
      ]);
      expect(resolved).toEqual([
        {
          key: 'Mutation.ingestEvent',
          identity: { resolverContext: { credentialId: 'cred-1', credentialName: 'sensor-1' } },
        },
      ]);
    });

    it('given a device token, when a field for users is asked, then it is Unauthorized and no resolver runs', async () => {
      resolved.length = 0;
      const res = await graphql(
        server.graphqlUrl,
        { query: '{ rules { nextToken } }' },
        { authorization: DEVICE },
      );
      expect(res.json.errors[0]).toMatchObject({
        errorType: 'Unauthorized',
        message: 'Not Authorized to access rules on type Query',
      });
      expect(resolved).toEqual([]);
    });

    it('given a device whose authorizer denied ingestEvents (Type.field) or ingestEvent (field ARN), then each is an Unauthorized field error and no resolver runs', async () => {
      resolved.length = 0;
      const many = await graphql(
        server.graphqlUrl,
        { query: INGEST_MANY },
        { authorization: DEVICE },
      );
      expect(many.json).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            path: ['ingestEvents'],
            errorType: 'Unauthorized',
            message: 'Not Authorized to access ingestEvents on type Mutation',
          }),
        ],
      });
      const one = await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading } },
        { authorization: DEVICE_DENIED_BY_ARN },
      );
      expect(one.json.errors[0]).toMatchObject({
        path: ['ingestEvent'],
        errorType: 'Unauthorized',
      });
      expect(resolved).toEqual([]);
      const allowed = await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading } },
        { authorization: DEVICE },
      );
      expect(allowed.json.data.ingestEvent.id).toBe('reading-1');
    });

    it('given an answer with a ttlOverride, when the same token is used twice, then the authorizer is invoked once; with ttlOverride 0, twice', async () => {
      const cached = deviceToken('6');
      const calls = () => authorizerCalls.filter((c) => c.authorizationToken === cached).length;
      // Not one of the known tokens: refused, with the API's TTL (0) - so asked each time.
      await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading } },
        { authorization: cached },
      );
      await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading } },
        { authorization: cached },
      );
      expect(calls()).toBe(2);

      authorizerCalls.length = 0;
      for (let i = 0; i < 2; i++) {
        for (const token of [DEVICE_CACHED, DEVICE_UNCACHED]) {
          const res = await graphql(
            server.graphqlUrl,
            { query: INGEST, variables: { input: reading } },
            { authorization: token },
          );
          expect(res.json.data.ingestEvent.id).toBe('reading-1');
        }
      }
      const invocations = (token: string) =>
        authorizerCalls.filter((c) => c.authorizationToken === token).length;
      expect(invocations(DEVICE_CACHED)).toBe(1);
      expect(invocations(DEVICE_UNCACHED)).toBe(2);
    });

    it.each([
      ['a revoked credential (the authorizer says no)', REVOKED_DEVICE, 1],
      ['an authorizer that fails', BROKEN_AUTHORIZER, 1],
      ['a token the identity validation expression refuses', 'tad_not-a-device-token', 0],
    ])(
      'given %s, when ingestEvent is posted, then it answers 401 and no resolver runs',
      async (_, token, invocations) => {
        resolved.length = 0;
        authorizerCalls.length = 0;
        const res = await graphql(
          server.graphqlUrl,
          { query: INGEST, variables: { input: reading } },
          { authorization: token },
        );
        expect(res.status).toBe(401);
        expect(res.json).toEqual({
          errors: [
            {
              errorType: 'UnauthorizedException',
              message: 'You are not authorized to make this call.',
            },
          ],
        });
        expect(resolved).toEqual([]);
        expect(authorizerCalls).toHaveLength(invocations);
      },
    );

    it('given an authorizer that fails, then the failure is logged without the token', async () => {
      logger.lines.length = 0;
      await graphql(
        server.graphqlUrl,
        { query: INGEST, variables: { input: reading } },
        { authorization: BROKEN_AUTHORIZER },
      );
      expect(logger.lines).toContain('error Lambda authorizer failed; the request is refused');
      expect(logger.lines.join('\n')).not.toContain(BROKEN_AUTHORIZER);
    });
  });

  describe('direct Lambda resolvers', () => {
    it('given a query, when the resolver runs, then it receives the AppSync direct Lambda event', async () => {
      events.length = 0;
      const res = await graphql(server.graphqlUrl, {
        query: `query Events($device: ID!) {
          events(deviceId: $device, limit: 5) { items { id value } nextToken }
        }`,
        variables: { device: 'device-7' },
      });
      expect(res.status).toBe(200);
      expect(res.json.data.events.items).toEqual([{ id: 'event-1', value: 21.5 }]);
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({
        arguments: { deviceId: 'device-7', limit: 5 },
        identity: {
          sub: 'sub-admin@example.com',
          issuer: POOL.issuer,
          username: 'admin@example.com',
          claims: expect.objectContaining({ email: 'admin@example.com', token_use: 'id' }),
          sourceIp: ['127.0.0.1'],
          defaultAuthStrategy: 'ALLOW',
          groups: ['admins'],
        },
        source: null,
        prev: null,
        stash: {},
        request: { domainName: null },
        info: {
          fieldName: 'events',
          parentTypeName: 'Query',
          variables: { device: 'device-7' },
          selectionSetList: ['items', 'items/id', 'items/value', 'nextToken'],
          selectionSetGraphQL: '{\n  items {\n    id\n    value\n  }\n  nextToken\n}',
        },
      });
      expect(event?.request.headers.authorization).toBe(ADMIN);
      expect(event?.request.headers['content-type']).toBe('application/json');
    });

    it('given a direct resolver that throws a named error, when the field resolves, then errorType is Lambda:Unhandled as in AppSync, with the message and no stack', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ rule(id: "missing") { id } }' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        data: { rule: null },
        errors: [
          {
            path: ['rule'],
            data: null,
            errorType: 'Lambda:Unhandled',
            errorInfo: null,
            locations: [{ line: 1, column: 3, sourceName: null }],
            message: 'Rule missing does not exist',
          },
        ],
      });
      expect(res.text).not.toMatch(/stack|\bat .*\.ts/);
    });

    it('given a resolver that throws a plain Error, when the field resolves, then errorType is Lambda:Unhandled and the failure is logged', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ rule(id: "boom") { id } }' });
      expect(res.json.errors[0]).toMatchObject({
        errorType: 'Lambda:Unhandled',
        message: 'database unreachable',
      });
      expect(res.text).not.toContain('stack');
      expect(logger.lines.some((line) => line.startsWith('error Lambda resolver Query.rule'))).toBe(
        true,
      );
    });

    it('given a root field without a resolver, when it is queried, then it resolves to null', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ alerts { nextToken } }' });
      expect(res.status).toBe(200);
      expect(res.json.data).toBeNull();
      expect(res.json.errors[0].message).toMatch(
        /Cannot return null for non-nullable type: 'AlertConnection'/,
      );
    });
  });

  describe('validation', () => {
    it('given an impossible AWSDateTime variable, when the query is posted, then it answers 400 ValidationError', async () => {
      const res = await graphql(server.graphqlUrl, {
        query: 'query ($from: AWSDateTime) { events(deviceId: "d", from: $from) { nextToken } }',
        variables: { from: '2024-02-30T00:00:00Z' },
      });
      expect(res.status).toBe(400);
      expect(res.json.data).toBeNull();
      expect(res.json.errors[0].errorType).toBe('ValidationError');
      expect(res.json.errors[0].message).toContain(
        "Invalid AWSDateTime value: '2024-02-30T00:00:00Z'; expected ISO-8601 such as 2024-05-01T12:00:00.000Z",
      );
    });

    it.each([
      ['2024-05-01T12:00:00', 'no offset'],
      ['2024-05-01T24:00:00Z', 'hour 24'],
      ['2024-05-01 12:00:00Z', 'no T'],
    ])(
      'given AWSDateTime literal %s (%s), when the query is posted, then it answers 400 ValidationError',
      async (value) => {
        const res = await graphql(server.graphqlUrl, {
          query: `{ events(deviceId: "d", from: "${value}") { nextToken } }`,
        });
        expect(res.status).toBe(400);
        expect(res.json.errors[0]).toMatchObject({ path: null, errorType: 'ValidationError' });
        expect(res.json.errors[0].locations[0]).toMatchObject({ line: 1, sourceName: null });
      },
    );

    it('given valid AWSDateTime forms, when the query is posted, then they are accepted', async () => {
      for (const value of [
        '2024-05-01T12:00Z',
        '2024-05-01T12:00:00.123456+05:30',
        '2024-02-29T23:59:59-08:00',
      ]) {
        const res = await graphql(server.graphqlUrl, {
          query: 'query ($from: AWSDateTime) { events(deviceId: "d", from: $from) { nextToken } }',
          variables: { from: value },
        });
        expect(res.status, value).toBe(200);
      }
    });

    it('given an unknown enum value, when the mutation is posted, then it answers 400 ValidationError', async () => {
      const res = await graphql(server.graphqlUrl, {
        query: 'mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }',
        variables: { input: { metric: 'temperature', operator: 'ABOUT', threshold: 1 } },
      });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].errorType).toBe('ValidationError');
      expect(res.json.errors[0].message).toMatch(/ABOUT/);
    });

    it('given a syntax error, when the query is posted, then it answers 400 ValidationError', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ rules { ' });
      expect(res.status).toBe(400);
      expect(res.json.errors[0]).toMatchObject({ path: null, errorType: 'ValidationError' });
    });

    it('given an unknown field, when the query is posted, then it answers 400 ValidationError', async () => {
      const res = await graphql(server.graphqlUrl, { query: '{ nope }' });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].errorType).toBe('ValidationError');
    });

    it('given a body that is not JSON, when it is posted, then it answers 400 MalformedHttpRequestException', async () => {
      const res = await call(server.graphqlUrl, {
        headers: { authorization: ADMIN, 'content-type': 'application/json' },
        body: '{"query":',
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        errors: [
          { errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' },
        ],
      });
    });
  });

  describe('HTTP surface', () => {
    it('given another path, when it is requested, then it answers 404 with an AppSync-shaped body', async () => {
      const res = await call(server.graphqlUrl.replace('/graphql', '/other'), { method: 'GET' });
      expect(res.status).toBe(404);
      expect(res.json.errors[0].errorType).toBeTypeOf('string');
    });

    it('given a body over the limit, when it is posted, then it answers 413 with an AppSync-shaped body', async () => {
      const res = await call(server.graphqlUrl, {
        headers: { authorization: ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ rules { nextToken } }`,
          pad: 'x'.repeat(5 * 1024 * 1024),
        }),
      });
      expect(res.status).toBe(413);
      expect(res.json.errors[0].errorType).toBe('PayloadTooLargeException');
    });

    it('given a CORS preflight, when OPTIONS is sent, then the browser headers are allowed', async () => {
      const res = await call(server.graphqlUrl, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(String(res.headers['access-control-allow-headers'])).toContain('authorization');
      expect(String(res.headers['access-control-allow-headers'])).toContain('x-amz-security-token');
    });
  });

  describe('real-time subscriptions', () => {
    const host = () => new URL(server.graphqlUrl).host;

    it('given a user-pool token in the subprotocol, when connection_init is sent, then connection_ack and ka follow', async () => {
      const client = await openWs(server.realtimeUrl);
      try {
        expect(client.ws.protocol).toBe('graphql-ws');
        client.send({ type: 'connection_init' });
        const ack = await client.next((m) => m.type === 'connection_ack');
        expect(ack).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
        await client.next((m) => m.type === 'ka');
      } finally {
        await client.close();
      }
    });

    it('given a token signed with another key on connect, when connection_init is sent, then connection_error is sent and the socket closed', async () => {
      const client = await openWs(server.realtimeUrl, {
        header: authHeader(host(), POOL.token({ groups: ['admins'], otherKey: true })),
      });
      const closed = new Promise<number>((resolve) =>
        client.ws.once('close', (code) => resolve(code)),
      );
      client.send({ type: 'connection_init' });
      const error = await client.next((m) => m.type === 'connection_error');
      expect(error).toEqual({
        type: 'connection_error',
        payload: {
          errors: [
            {
              errorType: 'UnauthorizedException',
              message: 'You are not authorized to make this call.',
              errorCode: 401,
            },
          ],
        },
      });
      await closed;
    });

    it('given no credentials in the query-string style, when the socket opens, then connection_error is sent without any message from the client', async () => {
      const client = await openWs(server.realtimeUrl, { header: { host: host() }, via: 'query' });
      const error = await client.next((m) => m.type === 'connection_error');
      expect(error.payload.errors[0].errorType).toBe('UnauthorizedException');
    });

    it('given three subscribers, when publishAlert is signed and sent, then only the matching and unfiltered ones get it, with unselected fields null', async () => {
      const client = await openWs(server.realtimeUrl, { via: 'query' });
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        client.send(startMessage('device-1', ON_ALERT, { deviceId: 'device-1' }, host()));
        client.send(startMessage('device-2', ON_ALERT, { deviceId: 'device-2' }, host()));
        client.send(startMessage('all', ON_ALERT, {}, host()));
        for (const id of ['device-1', 'device-2', 'all']) {
          await client.next((m) => m.type === 'start_ack' && m.id === id);
        }

        const first = await signedGraphql(server.graphqlUrl, {
          query: PUBLISH_ALERT,
          variables: { input: ALERT_INPUT },
        });
        expect(first.status).toBe(200);
        const toDevice1 = await client.next((m) => m.type === 'data' && m.id === 'device-1');
        expect(toDevice1).toEqual({
          id: 'device-1',
          type: 'data',
          payload: {
            data: {
              onAlert: {
                id: 'alert-1',
                deviceId: 'device-1',
                severity: 'CRITICAL',
                firedAt: '2024-05-01T12:00:01.000Z',
                ruleName: null,
                eventId: null,
              },
            },
          },
        });
        await client.next((m) => m.type === 'data' && m.id === 'all');

        const second = await signedGraphql(server.graphqlUrl, {
          query: PUBLISH_ALERT,
          variables: { input: { ...ALERT_INPUT, id: 'alert-2', deviceId: 'device-2' } },
        });
        expect(second.status).toBe(200);
        const toDevice2 = await client.next((m) => m.type === 'data' && m.id === 'device-2');
        expect(toDevice2.payload.data.onAlert.id).toBe('alert-2');
        const toAll = await client.next((m) => m.type === 'data' && m.id === 'all');
        expect(toAll.payload.data.onAlert.id).toBe('alert-2');

        const data = client.messages.filter((m) => m.type === 'data');
        expect(data.map((m) => `${m.id}:${m.payload.data.onAlert.id}`).sort()).toEqual([
          'all:alert-1',
          'all:alert-2',
          'device-1:alert-1',
          'device-2:alert-2',
        ]);
      } finally {
        await client.close();
      }
    });

    it('given an active subscription, when stop is sent, then complete follows and no more data arrives for it', async () => {
      const client = await openWs(server.realtimeUrl);
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        client.send(startMessage('stopped', ON_ALERT, {}, host()));
        client.send(startMessage('kept', ON_ALERT, {}, host()));
        await client.next((m) => m.type === 'start_ack' && m.id === 'stopped');
        await client.next((m) => m.type === 'start_ack' && m.id === 'kept');
        client.send({ id: 'stopped', type: 'stop' });
        expect(await client.next((m) => m.type === 'complete')).toEqual({
          id: 'stopped',
          type: 'complete',
        });
        for (const id of ['after-stop-1', 'after-stop-2']) {
          await signedGraphql(server.graphqlUrl, {
            query: PUBLISH_ALERT,
            variables: { input: { ...ALERT_INPUT, id } },
          });
        }
        await client.next(
          (m) =>
            m.type === 'data' && m.id === 'kept' && m.payload.data.onAlert.id === 'after-stop-2',
        );
        expect(client.messages.filter((m) => m.type === 'data' && m.id === 'stopped')).toEqual([]);
      } finally {
        await client.close();
      }
    });

    it('given malformed frames, when they are sent, then each is answered with an error and the connection still works', async () => {
      const client = await openWs(server.realtimeUrl);
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        const bad = [
          'not json',
          '[1,2]',
          JSON.stringify({ type: 'subscribe', id: 'x' }),
          JSON.stringify({ type: 'start', payload: {} }),
          JSON.stringify({ type: 'stop' }),
          JSON.stringify({ type: 'start', id: 'x', payload: { data: '{not json' } }),
          JSON.stringify({ type: 'start', id: 'y', payload: { data: 42 } }),
          JSON.stringify({ type: 'connection_init', pad: 'x'.repeat(300 * 1024) }),
        ];
        for (const frame of bad) client.send(frame);
        for (let i = 0; i < bad.length; i++) {
          const error = await client.next((m) => m.type === 'error');
          expect(error.payload.errors[0].errorType).toBeTypeOf('string');
          expect(error.payload.errors[0].message).toBeTypeOf('string');
        }
        client.send(startMessage('ok', ON_ALERT, {}, host()));
        await client.next((m) => m.type === 'start_ack' && m.id === 'ok');
        expect(client.ws.readyState).toBe(WebSocket.OPEN);
      } finally {
        await client.close();
      }
    });

    it('given a start with a duplicate id, a query operation or an expired token, when it is sent, then an error names the id', async () => {
      const client = await openWs(server.realtimeUrl);
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        client.send(startMessage('dup', ON_ALERT, {}, host()));
        await client.next((m) => m.type === 'start_ack' && m.id === 'dup');
        client.send(startMessage('dup', ON_ALERT, {}, host()));
        const duplicate = await client.next((m) => m.type === 'error' && m.id === 'dup');
        expect(duplicate.payload.errors[0].errorType).toBe('DuplicatedOperationError');

        client.send(startMessage('query', '{ rules { nextToken } }', {}, host()));
        const query = await client.next((m) => m.type === 'error' && m.id === 'query');
        expect(query.payload.errors[0].errorType).toBe('UnsupportedOperation');

        client.send(startMessage('key', ON_ALERT, {}, host(), POOL.token({ expiresIn: -1 })));
        const key = await client.next((m) => m.type === 'error' && m.id === 'key');
        expect(key.payload.errors[0].errorType).toBe('UnauthorizedException');

        client.send(startMessage('invalid', 'subscription { onAlert { nope } }', {}, host()));
        const invalid = await client.next((m) => m.type === 'error' && m.id === 'invalid');
        expect(invalid.payload.errors[0].errorType).toBe('ValidationError');
      } finally {
        await client.close();
      }
    });

    it('given SigV4-signed connect headers, when an IAM caller connects and subscribes to a field for signed-in users, then it is acknowledged but the start is Unauthorized', async () => {
      const graphqlUrl = new URL(server.graphqlUrl);
      const sign = async (path: string, body: string) => {
        const signed = await new SignatureV4({
          credentials: IAM,
          region: REGION,
          service: 'appsync',
          sha256: Sha256,
        }).sign(
          new HttpRequest({
            method: 'POST',
            hostname: graphqlUrl.hostname,
            port: Number(graphqlUrl.port),
            path,
            headers: {
              accept: 'application/json, text/javascript',
              'content-encoding': 'amz-1.0',
              'content-type': 'application/json; charset=UTF-8',
              host: graphqlUrl.host,
            },
            body,
          }),
        );
        return signed.headers as Json;
      };
      const client = await openWs(server.realtimeUrl, {
        header: await sign('/graphql/connect', '{}'),
      });
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        const data = JSON.stringify({ query: ON_ALERT, variables: {} });
        client.send({
          id: 'iam',
          type: 'start',
          payload: { data, extensions: { authorization: await sign('/graphql', data) } },
        });
        const refused = await client.next((m) => m.type === 'error' && m.id === 'iam');
        expect(refused.payload.errors[0]).toEqual({
          errorType: 'Unauthorized',
          message: 'Not Authorized to access onAlert on type Subscription',
        });
        client.send({
          id: 'tampered',
          type: 'start',
          payload: {
            data: data.replace('{}', '{"deviceId":"x"}'),
            extensions: { authorization: await sign('/graphql', data) },
          },
        });
        const tampered = await client.next((m) => m.type === 'error' && m.id === 'tampered');
        expect(tampered.payload.errors[0].errorType).toBe('UnauthorizedException');
      } finally {
        await client.close();
      }
    });

    it('given a viewer\u2019s token in the query-string header and at start, when onAlert is started, then it is acknowledged', async () => {
      const client = await openWs(server.realtimeUrl, {
        header: authHeader(host(), VIEWER),
        via: 'query',
      });
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        client.send(startMessage('viewer', ON_ALERT, {}, host(), VIEWER));
        await client.next((m) => m.type === 'start_ack' && m.id === 'viewer');
      } finally {
        await client.close();
      }
    });

    it.each(['query', 'protocol'] as const)(
      'given a device token in the %s header, when it connects and starts onAlert, then it is acknowledged but the start is Unauthorized',
      async (via) => {
        const client = await openWs(server.realtimeUrl, {
          header: authHeader(host(), DEVICE_CACHED),
          via,
        });
        try {
          client.send({ type: 'connection_init' });
          await client.next((m) => m.type === 'connection_ack');
          client.send(startMessage('device', ON_ALERT, {}, host(), DEVICE_CACHED));
          const refused = await client.next((m) => m.type === 'error' && m.id === 'device');
          expect(refused.payload.errors[0]).toEqual({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access onAlert on type Subscription',
          });
        } finally {
          await client.close();
        }
      },
    );

    it('given a revoked device token on connect, when connection_init is sent, then connection_error follows', async () => {
      const client = await openWs(server.realtimeUrl, {
        header: authHeader(host(), REVOKED_DEVICE),
      });
      client.send({ type: 'connection_init' });
      const error = await client.next((m) => m.type === 'connection_error');
      expect(error.payload.errors[0].errorType).toBe('UnauthorizedException');
    });

    it('given 100 subscriptions on one connection, when another is started, then it is refused', async () => {
      const client = await openWs(server.realtimeUrl);
      try {
        client.send({ type: 'connection_init' });
        await client.next((m) => m.type === 'connection_ack');
        for (let i = 0; i < 100; i++) client.send(startMessage(`s${i}`, ON_ALERT, {}, host()));
        await client.next((m) => m.type === 'start_ack' && m.id === 's99');
        client.send(startMessage('s100', ON_ALERT, {}, host()));
        const error = await client.next((m) => m.type === 'error' && m.id === 's100');
        expect(error.payload.errors[0].errorType).toBe('MaxSubscriptionsReachedError');
      } finally {
        await client.close();
      }
    });
  });
});

describe('local AppSync endpoint with a field open to both modes', () => {
  let server: LocalAppSync;
  const identities: unknown[] = [];

  beforeAll(async () => {
    server = await startLocalAppSync({
      ...BASE_OPTIONS,
      schemaSdl: `${readFileSync(new URL('../../appsync.graphql', import.meta.url), 'utf8')}
        type Query { whoami: String @aws_iam @aws_api_key }`,
      authorization: {
        defaultAuthorization: { authorizationType: 'API_KEY', apiKey: API_KEY },
        additionalAuthorizationModes: [{ authorizationType: 'AWS_IAM', credentials: IAM }],
      },
      lambdaResolvers: {
        'Query.whoami': async (event) => {
          identities.push(event.identity);
          return 'me';
        },
      },
      noneResolvers: [],
      logger: silentLogger(),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('given an IAM caller and an API-key caller, when each queries, then the resolver sees the IAM identity and null', async () => {
    identities.length = 0;
    const iam = await signedGraphql(server.graphqlUrl, { query: '{ whoami }' });
    expect(iam.json).toEqual({ data: { whoami: 'me' } });
    const key = await graphql(server.graphqlUrl, { query: '{ whoami }' }, { 'x-api-key': API_KEY });
    const token = await graphql(server.graphqlUrl, { query: '{ whoami }' });
    expect(token.status).toBe(401);
    expect(key.json).toEqual({ data: { whoami: 'me' } });
    expect(identities).toEqual([
      {
        accountId: '123456789012',
        accessKey: IAM.accessKeyId,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
        sourceIp: ['127.0.0.1'],
        userArn: 'arn:aws:iam::123456789012:user/local',
        username: 'local',
      },
      null,
    ]);
  });
});

describe('local AppSync endpoint lifecycle', () => {
  it('given a short keep-alive interval, when a client is connected, then ka frames keep arriving', async () => {
    const server = await startLocalAppSync({
      ...BASE_OPTIONS,
      lambdaResolvers: {},
      keepAliveIntervalMs: 20,
      connectionTimeoutMs: 1000,
      logger: silentLogger(),
    });
    try {
      const client = await openWs(server.realtimeUrl);
      client.send({ type: 'connection_init' });
      expect(await client.next((m) => m.type === 'connection_ack')).toEqual({
        type: 'connection_ack',
        payload: { connectionTimeoutMs: 1000 },
      });
      for (let i = 0; i < 3; i++) await client.next((m) => m.type === 'ka');
      await client.close();
    } finally {
      await server.close();
    }
  });

  it('given open websockets with subscriptions, when close() is called, then every socket is closed and the ports are released', async () => {
    const server = await startLocalAppSync({
      ...BASE_OPTIONS,
      lambdaResolvers: {},
      logger: silentLogger(),
    });
    const client = await openWs(server.realtimeUrl);
    client.send({ type: 'connection_init' });
    await client.next((m) => m.type === 'connection_ack');
    client.send(startMessage('open', ON_ALERT, {}, new URL(server.graphqlUrl).host));
    await client.next((m) => m.type === 'start_ack');
    const closed = new Promise<number>((resolve) =>
      client.ws.once('close', (code) => resolve(code)),
    );
    await server.close();
    expect(await closed).toBe(1001);
    await expect(graphql(server.graphqlUrl, { query: '{ rules { nextToken } }' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe('local AppSync endpoint over HTTPS', () => {
  let server: LocalAppSync;
  let ca: string;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    ca = pems.cert;
    server = await startLocalAppSync({
      ...BASE_OPTIONS,
      lambdaResolvers: {
        'Query.rules': async () => ({ items: [], nextToken: 'next' }),
      },
      https: { port: 0, key: pems.private, cert: pems.cert },
      logger: silentLogger(),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('given a certificate from selfsigned, when a query is posted over TLS, then it is answered', async () => {
    expect(server.httpsGraphqlUrl).toMatch(/^https:\/\/localhost:\d+\/graphql$/);
    const res = await graphql(
      server.httpsGraphqlUrl ?? '',
      { query: '{ rules { nextToken } }' },
      { authorization: VIEWER },
      ca,
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: { rules: { nextToken: 'next' } } });
  });

  it('given the HTTPS server, when a client subscribes over wss, then the realtime protocol works there too', async () => {
    expect(server.httpsRealtimeUrl).toMatch(/^wss:\/\/localhost:\d+\/graphql\/realtime$/);
    const url = server.httpsRealtimeUrl ?? '';
    const host = new URL(url).host;
    const client = await openWs(url, { ca, header: authHeader(host) });
    try {
      client.send({ type: 'connection_init' });
      await client.next((m) => m.type === 'connection_ack');
      client.send(startMessage('tls', ON_ALERT, { deviceId: 'device-1' }, host));
      await client.next((m) => m.type === 'start_ack' && m.id === 'tls');
    } finally {
      await client.close();
    }
  });
});

describe('resolver code in front of Lambda resolvers (infra/appsync/invoke-lambda.js)', () => {
  let server: LocalAppSync;
  const payloads: Json[] = [];

  beforeAll(async () => {
    server = await startLocalAppSync({
      ...BASE_OPTIONS,
      lambdaResolverCode: loadResolverCode(
        readFileSync(new URL('../../infra/appsync/invoke-lambda.js', import.meta.url), 'utf8'),
      ),
      lambdaResolvers: {
        'Query.rule': async (event) => {
          payloads.push(event as unknown as Json);
          if (event.arguments.id === 'missing') {
            return { __error: { errorType: 'NotFound', message: "No rule with id 'missing'" } };
          }
          if (event.arguments.id === 'boom') throw new Error('connection reset by peer');
          return {
            id: event.arguments.id,
            metric: 'cpu',
            operator: 'GT',
            threshold: 1,
            enabled: true,
            severity: 'INFO',
            createdAt: '2024-05-01T12:00:00.000Z',
            updatedAt: '2024-05-01T12:00:00.000Z',
          };
        },
      },
      logger: silentLogger(),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const ask = (id: string) =>
    graphql(
      server.graphqlUrl,
      { query: `{ rule(id: "${id}") { id metric } }` },
      { authorization: OPERATOR },
    );

  it('given a result, when the field resolves, then the function got the direct-Lambda payload and the result passes through', async () => {
    const res = await ask('r1');
    expect(res.json).toEqual({ data: { rule: { id: 'r1', metric: 'cpu' } } });
    expect(payloads.at(-1)).toMatchObject({
      arguments: { id: 'r1' },
      identity: expect.objectContaining({
        username: 'operator@example.com',
        groups: ['operators'],
      }),
      info: { fieldName: 'rule', parentTypeName: 'Query', selectionSetList: ['id', 'metric'] },
      request: { headers: expect.objectContaining({ authorization: OPERATOR }) },
    });
  });

  it('given a returned error, when the field resolves, then it becomes a GraphQL error with that errorType', async () => {
    const res = await ask('missing');
    expect(res.json.data).toEqual({ rule: null });
    expect(res.json.errors[0]).toMatchObject({
      path: ['rule'],
      errorType: 'NotFound',
      message: "No rule with id 'missing'",
    });
  });

  it('given a thrown error, when the field resolves, then the client sees only a generic InternalFailure', async () => {
    const res = await ask('boom');
    expect(res.json.errors[0]).toMatchObject({ errorType: 'InternalFailure' });
    expect(res.text).not.toContain('connection reset');
  });

  it('given resolver code importing anything but util, then it is refused at load', () => {
    expect(() =>
      loadResolverCode("import fs from 'node:fs';\nexport function request() {}"),
    ).toThrow(/only \{ util \}/);
  });
});
