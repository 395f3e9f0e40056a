import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { type ConnectionContext, RealtimeConnection } from './realtime-connection.ts';
import { APPSYNC_LIMITS } from './request-limits.ts';

/** What the realtime endpoint needs from the rest of the local AppSync. */
export interface RealtimeOptions extends Omit<
  ConnectionContext,
  'maxSubscriptions' | 'maxMessageBytes' | 'onClosed'
> {
  /** Subscriptions one connection may hold; AppSync's is 100. */
  maxSubscriptionsPerConnection?: number;
  /** Bytes in one inbound message; bigger is answered with an error, the connection stays. */
  maxMessageBytes?: number;
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

/**
 * Creates AppSync's GraphQL real-time endpoint (`…/graphql/realtime`): the `graphql-ws`
 * dialect AppSync speaks (connection_init/ack, ka, start/start_ack, data, stop/complete,
 * error), with AppSync's connect and per-subscription authorization, so Amplify and other
 * AppSync clients subscribe to the local stack unchanged.
 */
export function createRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const maxSubscriptions =
    options.maxSubscriptionsPerConnection ?? APPSYNC_LIMITS.maxSubscriptionsPerConnection;
  const maxMessageBytes = options.maxMessageBytes ?? APPSYNC_LIMITS.maxRealtimeMessageBytes;
  const connections = new Set<RealtimeConnection>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: Math.max(HARD_FRAME_BYTES, maxMessageBytes),
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });

  const context: ConnectionContext = {
    ...options,
    maxSubscriptions,
    maxMessageBytes,
    onClosed: (connection) => connections.delete(connection),
  };
  const onConnection = (ws: WebSocket, request: IncomingMessage) => {
    connections.add(new RealtimeConnection(ws, request, context));
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
      for (const connection of open) connection.cleanup();
      wss.close();
    },
  };
}
