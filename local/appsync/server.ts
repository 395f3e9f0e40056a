import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { execute, GraphQLError } from 'graphql';
import type { AuthorizationConfig } from './auth.ts';
import { clientIp, createAuthenticator } from './auth.ts';
import { createDocumentCache } from './document-cache.ts';
import { authorizerOperation } from './lambda-auth.ts';
import { formatExecutionError, formatValidationError, requestErrorBody } from './appsync-errors.ts';
import { prepareOperation } from './operation.ts';
import { resolveLimits } from './request-limits.ts';
import { createRealtimeServer, REALTIME_PATH_SUFFIX } from './realtime.ts';
import type { LambdaInvoke, Logger, ResolverContext } from './schema.ts';
import type { ResolverCode } from './resolver-code.ts';
import { buildAppSyncSchema } from './schema.ts';
import { createSubscriptionRegistry } from './subscriptions.ts';
import { closeServer, listen } from '../http-server.ts';

export type { LambdaInvoke, Logger } from './schema.ts';
export type {
  AuthorizationConfig,
  AuthorizationMode,
  CognitoUserPoolConfig,
  LambdaAuthorizerConfig,
} from './auth.ts';

export interface LocalAppSyncOptions {
  /** AppSync SDL: appsync.graphql (built-in scalars + directives) concatenated with schema.graphql */
  schemaSdl: string;
  /**
   * AppSync's authorization: a default mode and additional ones, each with its configuration
   * (API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, AWS_LAMBDA). A request uses the one mode its
   * headers select; fields admit modes and user-pool groups by their auth directives.
   */
  authorization: AuthorizationConfig;
  region: string;
  /** The account the API is in: IAM identities, the authorizer's request, field ARNs; default 000000000000 */
  accountId?: string;
  /** The API's id: the authorizer's request and field ARNs; default `local` */
  apiId?: string;
  /** direct Lambda resolvers, keyed "Query.events", "Mutation.createRule", ... A rejected promise is a Lambda function error. */
  lambdaResolvers: Record<string, LambdaInvoke>;
  /** Resolver code (APPSYNC_JS, see loadResolverCode) run in front of every Lambda resolver. */
  lambdaResolverCode?: ResolverCode;
  /** fields with a NONE data source ("Mutation.publishAlert"): the field's result is its `input` argument */
  noneResolvers: string[];
  /** default 127.0.0.1 */
  host?: string;
  /** 0 = any free port */
  port: number;
  /** same API also over TLS */
  https?: { port: number; key: string; cert: string };
  /** realtime `ka` interval, default 60_000 */
  keepAliveIntervalMs?: number;
  /** sent in connection_ack, default 300_000 */
  connectionTimeoutMs?: number;
  /** default 5 * 1024 * 1024 (AppSync's 5 MB); bigger -> HTTP 413 with an AppSync-shaped error */
  maxRequestBytes?: number;
  /**
   * AppSync's `queryDepthLimit`: 1–75 nested field levels (a root field is level 1); deeper
   * operations are refused with a ValidationError before anything executes. Default 0, no
   * limit, as an AppSync API that does not set it. Whatever it is, a text nesting more than
   * 500 levels is refused, to keep the parser and validation within the stack.
   */
  queryDepthLimit?: number;
  /**
   * AppSync's `resolverCountLimit`: resolver invocations per request, 1–10,000 (0 = 10,000);
   * past it a field resolves to null with a `ResolverExecutionLimitReached` error. Default 10,000.
   */
  resolverCountLimit?: number;
  /** default 100 (AppSync's); the next `start` gets MaxSubscriptionsReachedError */
  maxSubscriptionsPerConnection?: number;
  /** default 256 KiB; a bigger websocket message gets an error frame, the connection stays */
  maxRealtimeMessageBytes?: number;
  logger?: Logger;
}

export interface LocalAppSync {
  /** http://127.0.0.1:<port>/graphql */
  graphqlUrl: string;
  /** ws://127.0.0.1:<port>/graphql/realtime */
  realtimeUrl: string;
  /** https://localhost:<port>/graphql */
  httpsGraphqlUrl?: string;
  /** wss://localhost:<port>/graphql/realtime */
  httpsRealtimeUrl?: string;
  /** closes HTTP(S) servers and every websocket */
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const REALTIME_PATH = `${GRAPHQL_PATH}${REALTIME_PATH_SUFFIX}`;

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers':
    'x-api-key, authorization, x-amz-date, x-amz-security-token, x-amz-user-agent, x-amz-content-sha256, content-type',
  'access-control-max-age': '86400',
};

const defaultLogger: Logger = {
  info: () => {},
  warn: (msg, extra) => console.warn(`[local-appsync] ${msg}`, extra ?? ''),
  error: (msg, extra) => console.error(`[local-appsync] ${msg}`, extra ?? ''),
};

function send(
  res: ServerResponse,
  status: number,
  body: string,
  extraHeaders?: Record<string, string>,
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    'access-control-allow-origin': '*',
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(body);
}

/** Reads a request body, or reports that it is over the limit without buffering the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      if (done) return;
      length += chunk.length;
      if (length > limit) {
        done = true;
        req.off('data', onData);
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    });
    req.once('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function queryOf(url: string, index: number): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (index === -1) return query;
  for (const [key, value] of new URLSearchParams(url.slice(index + 1))) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  return query;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a local stand-in for the project's AWS AppSync API: the same schema, auth modes, direct
 * Lambda resolver events, AppSync errors, scalars and real-time subscriptions, on plain Node
 * servers, so the local stack and its tests exercise what clients of the cloud API see.
 */
export async function startLocalAppSync(options: LocalAppSyncOptions): Promise<LocalAppSync> {
  const logger = options.logger ?? defaultLogger;
  const host = options.host ?? '127.0.0.1';
  const limits = resolveLimits(options);
  const { maxRequestBytes } = limits;
  const auth = createAuthenticator({
    authorization: options.authorization,
    region: options.region,
    accountId: options.accountId ?? '000000000000',
    apiId: options.apiId ?? 'local',
    logger,
  });
  const { schema, subscriptionsByMutation, fieldAuthRules } = buildAppSyncSchema({
    schemaSdl: options.schemaSdl,
    lambdaResolvers: options.lambdaResolvers,
    lambdaResolverCode: options.lambdaResolverCode,
    noneResolvers: options.noneResolvers,
    defaultAuthMode: auth.defaultMode,
    authModes: auth.modes,
    logger,
    resolverCountLimit: limits.resolverCountLimit,
  });
  const documents = createDocumentCache(schema, { queryDepthLimit: limits.queryDepthLimit });
  const registry = createSubscriptionRegistry({ schema, subscriptionsByMutation, logger });
  const realtime = createRealtimeServer({
    schema,
    fieldAuthRules,
    documents,
    registry,
    auth,
    graphqlPath: GRAPHQL_PATH,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 60_000,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 300_000,
    maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection,
    maxMessageBytes: limits.maxRealtimeMessageBytes,
    logger,
  });

  const handleGraphql = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    q: number,
  ) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = () =>
      send(
        res,
        413,
        requestErrorBody(
          'PayloadTooLargeException',
          `Request body exceeds the ${maxRequestBytes} byte limit.`,
        ),
        { connection: 'close' },
      );
    if (declared > maxRequestBytes) {
      req.resume();
      tooLarge();
      return;
    }
    const body = await readBody(req, maxRequestBytes);
    if (body === 'too-large') {
      tooLarge();
      return;
    }
    const path = q === -1 ? url : url.slice(0, q);
    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      request = undefined;
    }
    const authResult = await auth.authenticate(
      {
        method: 'POST',
        path,
        query: queryOf(url, q),
        headers: req.headers,
        body,
        operation: authorizerOperation(request),
      },
      clientIp(req.socket.remoteAddress),
    );
    if (!authResult.ok) {
      send(res, 401, requestErrorBody('UnauthorizedException', authResult.message));
      return;
    }

    const { query, variables, operationName } = (request ?? {}) as Record<string, unknown>;
    if (
      request === null ||
      typeof request !== 'object' ||
      Array.isArray(request) ||
      typeof query !== 'string' ||
      (variables !== undefined &&
        variables !== null &&
        (typeof variables !== 'object' || Array.isArray(variables))) ||
      (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    ) {
      send(
        res,
        400,
        requestErrorBody('MalformedHttpRequestException', 'Unable to parse GraphQL query.'),
      );
      return;
    }

    const validationFailure = (errors: readonly GraphQLError[]) =>
      send(res, 400, JSON.stringify({ data: null, errors: errors.map(formatValidationError) }));
    const name = (operationName as string | null | undefined) ?? undefined;
    const prepared = prepareOperation(documents, { query, variables, operationName: name });
    if (!prepared.ok) {
      validationFailure(prepared.errors);
      return;
    }
    const { document, operation } = prepared;
    if (operation.operation === 'subscription') {
      validationFailure([
        new GraphQLError(
          `Subscriptions are served by the real-time endpoint (${REALTIME_PATH}), not over HTTP.`,
        ),
      ]);
      return;
    }
    const variableValues = (variables ?? {}) as Record<string, unknown>;
    const contextValue: ResolverContext = {
      caller: authResult.caller,
      headers: req.headers,
      variables: variableValues,
    };
    let result = execute({
      schema,
      document,
      operationName: name,
      contextValue,
      variableValues,
    }) as ExecutionResult | Promise<ExecutionResult>;
    if (result instanceof Promise) result = await result;
    if (result.data === undefined) {
      // Only request errors (variable coercion) leave no data at all.
      validationFailure(result.errors ?? []);
      return;
    }
    const data = result.data;
    send(
      res,
      200,
      JSON.stringify(
        result.errors?.length
          ? { data, errors: result.errors.map((error) => formatExecutionError(error, schema)) }
          : { data },
      ),
    );
    // Subscribers get the result as soon as the caller's answer is on its way, not a turn of
    // the event loop later: each pending I/O callback would otherwise go first.
    if (operation.operation === 'mutation' && data !== null && registry.size > 0) {
      try {
        registry.publishMutation(document, operation, data);
      } catch (error) {
        logger.error('Publishing a mutation to subscribers failed', {
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (path !== GRAPHQL_PATH) {
      req.resume();
      send(res, 404, requestErrorBody('NotFoundException', `No resource at ${path}.`));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      send(
        res,
        405,
        requestErrorBody('MethodNotAllowedException', `${req.method} is not supported; use POST.`),
        { allow: 'POST, OPTIONS' },
      );
      return;
    }
    handleGraphql(req, res, url, q).catch((error: unknown) => {
      logger.error('Request failed', {
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      if (!res.headersSent) {
        send(res, 500, requestErrorBody('InternalFailure', 'An internal failure occurred.'));
      } else {
        res.destroy();
      }
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== REALTIME_PATH) {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    realtime.handleUpgrade(req, socket, head);
  };

  const servers: Array<Server | HttpsServer> = [];
  const start = async (server: Server | HttpsServer, port: number) => {
    server.on('upgrade', onUpgrade);
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    const bound = await listen(server, port, host);
    servers.push(server);
    return bound;
  };

  try {
    const httpPort = await start(createServer(onRequest), options.port);
    const result: LocalAppSync = {
      graphqlUrl: `http://${urlHost(host)}:${httpPort}${GRAPHQL_PATH}`,
      realtimeUrl: `ws://${urlHost(host)}:${httpPort}${REALTIME_PATH}`,
      async close() {
        await realtime.close();
        await Promise.all(servers.map(closeServer));
      },
    };
    if (options.https) {
      const httpsPort = await start(
        createHttpsServer({ key: options.https.key, cert: options.https.cert }, onRequest),
        options.https.port,
      );
      result.httpsGraphqlUrl = `https://localhost:${httpsPort}${GRAPHQL_PATH}`;
      result.httpsRealtimeUrl = `wss://localhost:${httpsPort}${REALTIME_PATH}`;
    }
    return result;
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
}
