import type { IncomingMessage } from 'node:http';
import type { DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { getArgumentValues, getVariableValues, Kind } from 'graphql';
import type { RawData, WebSocket } from 'ws';
import type { AppSyncError } from './appsync-errors.ts';
import { formatValidationError, UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';
import type { Authenticator } from './auth.ts';
import { clientIp } from './auth.ts';
import type { DocumentCache } from './document-cache.ts';
import type { FieldAuthRules } from './field-auth.ts';
import { callerAuthKey, findDeniedField } from './field-auth.ts';
import { authorizerOperation } from './lambda-auth.ts';
import { prepareOperation } from './operation.ts';
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
import type { Logger } from './schema.ts';
import type { ActiveSubscription, SubscriptionRegistry } from './subscriptions.ts';

/** What every connection shares: the schema, the subscriptions, auth and the limits. */
export interface ConnectionContext {
  schema: GraphQLSchema;
  documents: DocumentCache;
  registry: SubscriptionRegistry;
  auth: Authenticator;
  /** Who may use each field: a subscription's fields are checked at `start`. */
  fieldAuthRules: FieldAuthRules;
  /** Path of the GraphQL endpoint; IAM signatures cover `<path>/connect` and `<path>`. */
  graphqlPath: string;
  keepAliveIntervalMs: number;
  connectionTimeoutMs: number;
  maxSubscriptions: number;
  maxMessageBytes: number;
  logger: Logger;
  /** Told once a connection is gone and its subscriptions removed. */
  onClosed(connection: RealtimeConnection): void;
}

/** A subscriber whose socket has this much unsent data is cut off rather than buffered. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** An unauthorized connection that never sends anything is told so and closed after this. */
const REFUSAL_DELAY_MS = 1000;

/**
 * One real-time connection's state machine: authorized at connect (or refused, a second
 * later or at its first message), then `connection_init` → `connection_ack` and keep-alives,
 * and any number of `start` → `start_ack`/`data`… and `stop` → `complete`, each message
 * handled after the one before it.
 */
export class RealtimeConnection {
  readonly ws: WebSocket;
  readonly sourceIp: string;
  readonly subscriptions = new Map<string, ActiveSubscription>();
  /** Messages are handled one after another, after the connect-time authorization. */
  #queue: Promise<void> = Promise.resolve();
  #refused = false;
  #acknowledged = false;
  #keepAlive?: NodeJS.Timeout;
  #refusalTimer?: NodeJS.Timeout;
  readonly #context: ConnectionContext;

  constructor(ws: WebSocket, request: IncomingMessage, context: ConnectionContext) {
    this.ws = ws;
    this.sourceIp = clientIp(request.socket.remoteAddress);
    this.#context = context;
    const { logger } = context;
    ws.on('error', (error) => logger.warn('Realtime socket error', { message: error.message }));
    ws.on('close', () => this.cleanup());

    const { headers, payload } = connectAuth(request);
    this.#queue = (
      headers
        ? context.auth.authenticate(
            {
              method: 'POST',
              path: `${context.graphqlPath}/connect`,
              query: {},
              headers,
              body: payload,
              operation: authorizerOperation(parseJson(payload)),
            },
            this.sourceIp,
          )
        : Promise.resolve({ ok: false as const, message: UNAUTHORIZED_MESSAGE })
    )
      .then((result) => {
        if (result.ok) return;
        this.#refused = true;
        this.#refusalTimer = setTimeout(() => this.refuse(), REFUSAL_DELAY_MS);
        this.#refusalTimer.unref();
      })
      .catch((error: unknown) => {
        this.#refused = true;
        logger.error('Realtime connect authorization failed', {
          message: error instanceof Error ? error.message : String(error),
        });
      });

    ws.on('message', (data, isBinary) => {
      this.#queue = this.#queue
        .then(() => this.handleMessage(data, isBinary))
        .catch((error: unknown) => {
          logger.error('Realtime message handling failed', {
            message: error instanceof Error ? error.message : String(error),
            stack: error instanceof Error ? error.stack : undefined,
          });
          this.send(
            errorFrame(undefined, [
              simpleError('InternalFailure', 'An internal failure occurred.'),
            ]),
          );
        });
    });
  }

  private send(text: string) {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#context.logger.warn('Realtime subscriber is not reading; closing its connection', {
        sourceIp: this.sourceIp,
      });
      ws.terminate();
      return;
    }
    ws.send(text, (error) => {
      if (error) this.#context.logger.warn('Realtime send failed', { message: error.message });
    });
  }

  private refuse() {
    if (this.#refusalTimer) clearTimeout(this.#refusalTimer);
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.send(
      frame(MESSAGE.connectionError, undefined, {
        errors: [simpleError('UnauthorizedException', UNAUTHORIZED_MESSAGE, 401)],
      }),
    );
    this.ws.close(1000, 'Unauthorized');
  }

  private removeSubscription(id: string) {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    this.subscriptions.delete(id);
    this.#context.registry.remove(subscription);
  }

  /** Stops the keep-alive and removes the connection's subscriptions; the socket is gone. */
  cleanup() {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    if (this.#refusalTimer) clearTimeout(this.#refusalTimer);
    for (const id of [...this.subscriptions.keys()]) this.removeSubscription(id);
    this.#context.onClosed(this);
  }

  private acknowledge() {
    this.send(
      frame(MESSAGE.connectionAck, undefined, {
        connectionTimeoutMs: this.#context.connectionTimeoutMs,
      }),
    );
    if (this.#acknowledged) return;
    this.#acknowledged = true;
    this.send(frame(MESSAGE.keepAlive));
    this.#keepAlive = setInterval(
      () => this.send(frame(MESSAGE.keepAlive)),
      this.#context.keepAliveIntervalMs,
    );
    this.#keepAlive.unref();
  }

  private async start(message: Record<string, unknown>) {
    const id = this.messageId(message, 'start');
    if (id === undefined) return;
    const fail = (error: AppSyncError | AppSyncError[]) =>
      this.send(errorFrame(id, Array.isArray(error) ? error : [error]));
    if (this.subscriptions.has(id)) {
      fail(simpleError('DuplicatedOperationError', `Duplicate subscription id '${id}'.`));
      return;
    }
    if (this.subscriptions.size >= this.#context.maxSubscriptions) {
      fail(
        simpleError(
          'MaxSubscriptionsReachedError',
          `Max number of ${this.#context.maxSubscriptions} subscriptions reached`,
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
    const auth = await this.#context.auth.authenticate(
      {
        method: 'POST',
        path: this.#context.graphqlPath,
        query: {},
        headers,
        body: data,
        operation: authorizerOperation(request),
      },
      this.sourceIp,
    );
    if (!auth.ok) {
      fail(simpleError('UnauthorizedException', auth.message, 401));
      return;
    }
    if (this.subscriptions.has(id) || this.ws.readyState !== this.ws.OPEN) return;

    const prepared = prepareOperation(this.#context.documents, {
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
    const coerced = getVariableValues(
      this.#context.schema,
      operation.variableDefinitions ?? [],
      rawVariables,
    );
    if (coerced.errors) {
      fail(coerced.errors.map(formatValidationError));
      return;
    }
    const denied = findDeniedField(
      this.#context.schema,
      this.#context.fieldAuthRules,
      document,
      auth.caller,
    );
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
    const fieldDef =
      fieldNode && this.#context.schema.getSubscriptionType()?.getFields()[fieldNode.name.value];
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
      shapeKey: `${callerAuthKey(auth.caller)}\u0000${operationName ?? ''}\u0000${JSON.stringify(rawVariables)}\u0000${query}`,
      deliver: (payloadJson) => this.send(dataFrame(id, payloadJson)),
    };
    this.subscriptions.set(id, subscription);
    this.#context.registry.add(subscription);
    this.send(frame(MESSAGE.startAck, id));
  }

  /** The id a start or stop message must carry; without one, the client is told and it is dropped. */
  private messageId(message: Record<string, unknown>, kind: 'start' | 'stop'): string | undefined {
    const id = message.id;
    if (typeof id === 'string' && id.length > 0) return id;
    this.send(
      errorFrame(undefined, [
        simpleError('UnsupportedOperation', `A ${kind} message needs a non-empty string id.`),
      ]),
    );
    return undefined;
  }

  private stop(message: Record<string, unknown>) {
    const id = this.messageId(message, 'stop');
    if (id === undefined) return;
    this.removeSubscription(id);
    this.send(frame(MESSAGE.complete, id));
  }

  private async handleMessage(data: RawData, isBinary: boolean) {
    if (this.#refused) {
      this.refuse();
      return;
    }
    if (rawByteLength(data) > this.#context.maxMessageBytes) {
      this.send(
        errorFrame(undefined, [
          simpleError(
            'UnsupportedOperation',
            `Message exceeds the ${this.#context.maxMessageBytes} byte limit.`,
          ),
        ]),
      );
      return;
    }
    if (isBinary) {
      this.send(
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
      this.send(
        errorFrame(undefined, [simpleError('UnsupportedOperation', 'Message is not valid JSON.')]),
      );
      return;
    }
    if (!isRecord(message)) {
      this.send(
        errorFrame(undefined, [
          simpleError('UnsupportedOperation', 'Message must be a JSON object.'),
        ]),
      );
      return;
    }
    switch (message.type) {
      case MESSAGE.connectionInit:
        this.acknowledge();
        return;
      case MESSAGE.start:
        await this.start(message);
        return;
      case MESSAGE.stop:
        this.stop(message);
        return;
      default: {
        const id = typeof message.id === 'string' ? message.id : undefined;
        this.send(
          errorFrame(id, [
            simpleError(
              'UnsupportedOperation',
              'Operation not supported through the realtime channel',
            ),
          ]),
        );
      }
    }
  }
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
