import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { getArgumentValues, getVariableValues, Kind } from 'graphql';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import type { AuthConfig } from './auth.ts';
import { authenticate, clientIp } from './auth.ts';
import type { DocumentCache } from './document-cache.ts';
import type { AppSyncError } from './appsync-errors.ts';
import { connectAuth, lowerCaseKeys } from './realtime-headers.ts';
import {
  dataFrame,
  errorFrame,
  frame,
  MESSAGE,
  rawByteLength,
  rawToString,
  simpleError,
} from './realtime-messages.ts';
import { formatValidationError, UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';
import { findDeniedField } from './field-auth.ts';
import { prepareOperation } from './operation.ts';
import { APPSYNC_LIMITS } from './request-limits.ts';
import type { Logger } from './schema.ts';
import type { ActiveSubscription, SubscriptionRegistry } from './subscriptions.ts';

/** What the realtime endpoint needs from the rest of the local AppSync. */
export interface RealtimeOptions {
  schema: GraphQLSchema;
  documents: DocumentCache;
  registry: SubscriptionRegistry;
  auth: AuthConfig;
  /** Path of the GraphQL endpoint; IAM signatures cover `<path>/connect` and `<path>`. */
  graphqlPath: string;
  keepAliveIntervalMs: number;
  connectionTimeoutMs: number;
  /** Subscriptions one connection may hold; AppSync's is 100. */
  maxSubscriptionsPerConnection?: number;
  /** Bytes in one inbound message; bigger is answered with an error, the connection stays. */
  maxMessageBytes?: number;
  logger: Logger;
}

/** The realtime (websocket) half of the endpoint, attached to the HTTP(S) servers' upgrades. */
export interface RealtimeServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly connectionCount: number;
  close(): Promise<void>;
}

export const REALTIME_PATH_SUFFIX = '/realtime';
/** AppSync's limit of subscriptions on one connection. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = APPSYNC_LIMITS.maxSubscriptionsPerConnection;
/** Frames larger than this make `ws` drop the connection (protects memory). */
const HARD_FRAME_BYTES = 8 * 1024 * 1024;
/** A subscriber whose socket has this much unsent data is cut off rather than buffered. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** An unauthorized connection that never sends anything is told so and closed after this. */
const REFUSAL_DELAY_MS = 1000;

interface Connection {
  ws: WebSocket;
  sourceIp: string;
  subscriptions: Map<string, ActiveSubscription>;
  /** Messages are handled one after another, after the connect-time authorization. */
  queue: Promise<void>;
  refused: boolean;
  acknowledged: boolean;
  keepAlive?: NodeJS.Timeout;
  refusalTimer?: NodeJS.Timeout;
}

/** The one root field a (validated) subscription operation selects. */
function rootField(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): FieldNode | undefined {
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const stack = [...operation.selectionSet.selections];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const selection = stack.shift();
    if (!selection) break;
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) return selection;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      stack.unshift(...selection.selectionSet.selections);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      stack.unshift(...(fragments.get(selection.name.value)?.selectionSet.selections ?? []));
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Creates AppSync's GraphQL real-time endpoint (`…/graphql/realtime`): the `graphql-ws`
 * dialect AppSync speaks (connection_init/ack, ka, start/start_ack, data, stop/complete,
 * error), with AppSync's connect and per-subscription authorization, so Amplify and other
 * AppSync clients subscribe to the local stack unchanged.
 */
export function createRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const { schema, documents, registry, logger } = options;
  const maxSubscriptions =
    options.maxSubscriptionsPerConnection ?? APPSYNC_LIMITS.maxSubscriptionsPerConnection;
  const maxMessageBytes = options.maxMessageBytes ?? APPSYNC_LIMITS.maxRealtimeMessageBytes;
  const connections = new Set<Connection>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: Math.max(HARD_FRAME_BYTES, maxMessageBytes),
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });

  const send = (connection: Connection, text: string) => {
    const { ws } = connection;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn('Realtime subscriber is not reading; closing its connection', {
        sourceIp: connection.sourceIp,
      });
      ws.terminate();
      return;
    }
    ws.send(text, (error) => {
      if (error) logger.warn('Realtime send failed', { message: error.message });
    });
  };

  const refuse = (connection: Connection) => {
    if (connection.refusalTimer) clearTimeout(connection.refusalTimer);
    if (connection.ws.readyState !== connection.ws.OPEN) return;
    send(
      connection,
      frame(MESSAGE.connectionError, undefined, {
        errors: [simpleError('UnauthorizedException', UNAUTHORIZED_MESSAGE, 401)],
      }),
    );
    connection.ws.close(1000, 'Unauthorized');
  };

  const removeSubscription = (connection: Connection, id: string) => {
    const subscription = connection.subscriptions.get(id);
    if (!subscription) return;
    connection.subscriptions.delete(id);
    registry.remove(subscription);
  };

  const cleanup = (connection: Connection) => {
    if (connection.keepAlive) clearInterval(connection.keepAlive);
    if (connection.refusalTimer) clearTimeout(connection.refusalTimer);
    for (const id of [...connection.subscriptions.keys()]) removeSubscription(connection, id);
    connections.delete(connection);
  };

  const acknowledge = (connection: Connection) => {
    send(
      connection,
      frame(MESSAGE.connectionAck, undefined, { connectionTimeoutMs: options.connectionTimeoutMs }),
    );
    if (connection.acknowledged) return;
    connection.acknowledged = true;
    send(connection, frame(MESSAGE.keepAlive));
    connection.keepAlive = setInterval(
      () => send(connection, frame(MESSAGE.keepAlive)),
      options.keepAliveIntervalMs,
    );
    connection.keepAlive.unref();
  };

  const start = async (connection: Connection, message: Record<string, unknown>) => {
    const id = message.id;
    if (typeof id !== 'string' || id.length === 0) {
      send(
        connection,
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', 'A start message needs a non-empty string id.'),
        ]),
      );
      return;
    }
    const fail = (error: AppSyncError | AppSyncError[]) =>
      send(connection, errorFrame(id, Array.isArray(error) ? error : [error]));
    if (connection.subscriptions.has(id)) {
      fail(simpleError('DuplicatedOperationError', `Duplicate subscription id '${id}'.`));
      return;
    }
    if (connection.subscriptions.size >= maxSubscriptions) {
      fail(
        simpleError(
          'MaxSubscriptionsReachedError',
          `Max number of ${maxSubscriptions} subscriptions reached`,
        ),
      );
      return;
    }
    const payload = message.payload;
    const data = isRecord(payload) ? payload.data : undefined;
    if (typeof data !== 'string') {
      fail(
        simpleError(
          'BadRequestException',
          'payload.data must be a JSON string of {query, variables}.',
        ),
      );
      return;
    }
    let request: unknown;
    try {
      request = JSON.parse(data);
    } catch {
      fail(simpleError('BadRequestException', 'payload.data is not valid JSON.'));
      return;
    }
    const query = isRecord(request) ? request.query : undefined;
    const rawVariables = isRecord(request) ? (request.variables ?? {}) : undefined;
    const operationName = isRecord(request) ? (request.operationName ?? undefined) : undefined;
    if (
      typeof query !== 'string' ||
      !isRecord(rawVariables) ||
      (operationName !== undefined && typeof operationName !== 'string')
    ) {
      fail(
        simpleError(
          'BadRequestException',
          'payload.data must hold a query string and variables object.',
        ),
      );
      return;
    }

    const extensions = isRecord(payload) ? payload.extensions : undefined;
    const headers = lowerCaseKeys(isRecord(extensions) ? extensions.authorization : undefined);
    if (!headers) {
      fail(simpleError('UnauthorizedException', UNAUTHORIZED_MESSAGE, 401));
      return;
    }
    const auth = await authenticate(
      { method: 'POST', path: options.graphqlPath, query: {}, headers, body: data },
      options.auth,
      connection.sourceIp,
    );
    if (!auth.ok) {
      fail(simpleError('UnauthorizedException', auth.message, 401));
      return;
    }
    if (connection.subscriptions.has(id) || connection.ws.readyState !== connection.ws.OPEN) return;

    const prepared = prepareOperation(documents, {
      query,
      variables: rawVariables,
      operationName,
    });
    if (!prepared.ok) {
      fail(prepared.errors.map(formatValidationError));
      return;
    }
    const { document, operation } = prepared;
    if (operation.operation !== 'subscription') {
      fail(
        simpleError('UnsupportedOperation', 'Operation not supported through the realtime channel'),
      );
      return;
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
    if (coerced.errors) {
      fail(coerced.errors.map(formatValidationError));
      return;
    }
    const denied = findDeniedField(schema, document, auth.caller.mode);
    if (denied) {
      fail(
        simpleError(
          'Unauthorized',
          `Not Authorized to access ${denied.fieldName} on type ${denied.typeName}`,
        ),
      );
      return;
    }
    const fieldNode = rootField(document, operation);
    const fieldDef = fieldNode && schema.getSubscriptionType()?.getFields()[fieldNode.name.value];
    if (!fieldNode || !fieldDef) {
      fail(simpleError('ValidationError', 'A subscription must select one Subscription field.'));
      return;
    }
    const args = getArgumentValues(fieldDef, fieldNode, coerced.coerced);
    const filter = Object.entries(args).filter(
      ([, value]) => value !== null && value !== undefined,
    );
    const subscription: ActiveSubscription = {
      id,
      fieldName: fieldDef.name,
      filter,
      document,
      operationName,
      variables: rawVariables,
      caller: auth.caller,
      shapeKey: `${auth.caller.mode}\u0000${operationName ?? ''}\u0000${JSON.stringify(rawVariables)}\u0000${query}`,
      deliver: (payloadJson) => send(connection, dataFrame(id, payloadJson)),
    };
    connection.subscriptions.set(id, subscription);
    registry.add(subscription);
    send(connection, frame(MESSAGE.startAck, id));
  };

  const stop = (connection: Connection, message: Record<string, unknown>) => {
    const id = message.id;
    if (typeof id !== 'string' || id.length === 0) {
      send(
        connection,
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', 'A stop message needs a non-empty string id.'),
        ]),
      );
      return;
    }
    removeSubscription(connection, id);
    send(connection, frame(MESSAGE.complete, id));
  };

  const handleMessage = async (connection: Connection, data: RawData, isBinary: boolean) => {
    if (connection.refused) {
      refuse(connection);
      return;
    }
    if (rawByteLength(data) > maxMessageBytes) {
      send(
        connection,
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', `Message exceeds the ${maxMessageBytes} byte limit.`),
        ]),
      );
      return;
    }
    if (isBinary) {
      send(
        connection,
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', 'Binary messages are not supported; send JSON text.'),
        ]),
      );
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawToString(data));
    } catch {
      send(
        connection,
        errorFrame(undefined, [simpleError('UnsupportedOperation', 'Message is not valid JSON.')]),
      );
      return;
    }
    if (!isRecord(message)) {
      send(
        connection,
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', 'Message must be a JSON object.'),
        ]),
      );
      return;
    }
    switch (message.type) {
      case MESSAGE.connectionInit:
        acknowledge(connection);
        return;
      case MESSAGE.start:
        await start(connection, message);
        return;
      case MESSAGE.stop:
        stop(connection, message);
        return;
      default: {
        const id = typeof message.id === 'string' ? message.id : undefined;
        send(
          connection,
          errorFrame(id, [
            simpleError(
              'UnsupportedOperation',
              'Operation not supported through the realtime channel',
            ),
          ]),
        );
      }
    }
  };

  const onConnection = (ws: WebSocket, request: IncomingMessage) => {
    const connection: Connection = {
      ws,
      sourceIp: clientIp(request.socket.remoteAddress),
      subscriptions: new Map(),
      queue: Promise.resolve(),
      refused: false,
      acknowledged: false,
    };
    connections.add(connection);
    ws.on('error', (error) => logger.warn('Realtime socket error', { message: error.message }));
    ws.on('close', () => cleanup(connection));

    const { headers, payload } = connectAuth(request);
    connection.queue = (
      headers
        ? authenticate(
            {
              method: 'POST',
              path: `${options.graphqlPath}/connect`,
              query: {},
              headers,
              body: payload,
            },
            options.auth,
            connection.sourceIp,
          )
        : Promise.resolve({ ok: false as const, message: UNAUTHORIZED_MESSAGE })
    )
      .then((result) => {
        if (result.ok) return;
        connection.refused = true;
        connection.refusalTimer = setTimeout(() => refuse(connection), REFUSAL_DELAY_MS);
        connection.refusalTimer.unref();
      })
      .catch((error: unknown) => {
        connection.refused = true;
        logger.error('Realtime connect authorization failed', {
          message: error instanceof Error ? error.message : String(error),
        });
      });

    ws.on('message', (data, isBinary) => {
      connection.queue = connection.queue
        .then(() => handleMessage(connection, data, isBinary))
        .catch((error: unknown) => {
          logger.error('Realtime message handling failed', {
            message: error instanceof Error ? error.message : String(error),
            stack: error instanceof Error ? error.stack : undefined,
          });
          send(
            connection,
            errorFrame(undefined, [
              simpleError('InternalFailure', 'An internal failure occurred.'),
            ]),
          );
        });
    });
  };

  return {
    handleUpgrade(request, socket, head) {
      socket.on('error', () => {});
      wss.handleUpgrade(request, socket, head, onConnection);
    },
    get connectionCount() {
      return connections.size;
    },
    async close() {
      const open = [...connections];
      await Promise.all(
        open.map(
          (connection) =>
            new Promise<void>((resolve) => {
              const { ws } = connection;
              if (ws.readyState === ws.CLOSED) {
                resolve();
                return;
              }
              const timer = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 1000);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(1001, 'Server shutting down');
            }),
        ),
      );
      for (const connection of open) cleanup(connection);
      wss.close();
    },
  };
}
