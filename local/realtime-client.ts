import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

/** A `data` frame as it arrived, with the moment it was received (performance.now()). */
export interface DataFrame {
  receivedAt: number;
  data: Record<string, unknown>;
}

/**
 * One subscription over AppSync's real-time protocol, on raw `ws`, authorized with the headers
 * a client would send (`{ Authorization: <JWT or device token> }`, or `{ 'x-api-key': … }`),
 * written from the protocol description so that tests and the benchmark exercise the
 * endpoint itself rather than a client library. Keeps every `data` payload in `received`
 * and tells listeners, with the time each frame arrived.
 */
export class RealtimeSubscription {
  readonly received: Record<string, unknown>[] = [];
  readonly #socket: WebSocket;
  readonly #listeners = new Set<(frame: DataFrame) => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /**
   * Connects with `headers` (and the API's host), waits for `connection_ack`, starts the
   * subscription with the same headers and resolves on `start_ack`.
   */
  static async open(
    realtimeUrl: string,
    graphqlUrl: string,
    headers: Readonly<Record<string, string>>,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<RealtimeSubscription> {
    const auth = { host: new URL(graphqlUrl).host, ...headers };
    const header = Buffer.from(JSON.stringify(auth)).toString('base64');
    const socket = new WebSocket(`${realtimeUrl}?header=${header}&payload=e30=`, 'graphql-ws');
    const subscription = new RealtimeSubscription(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No start_ack within 10 s')), 10_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', fail);
      socket.on('message', (raw) => {
        const receivedAt = performance.now();
        const message = JSON.parse(raw.toString()) as {
          type: string;
          payload?: { data?: Record<string, unknown> };
        };
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: 'subscription',
              type: 'start',
              payload: {
                data: JSON.stringify({ query, variables }),
                extensions: { authorization: auth },
              },
            }),
          );
        } else if (message.type === 'start_ack') {
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'data' && message.payload?.data) {
          subscription.received.push(message.payload.data);
          for (const listener of subscription.#listeners) {
            listener({ receivedAt, data: message.payload.data });
          }
        } else if (message.type === 'error' || message.type === 'connection_error') {
          fail(new Error(`Subscription refused: ${JSON.stringify(message)}`));
        }
      });
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    });
    return subscription;
  }

  /** Calls `listener` for every data frame from now on; returns how to stop listening. */
  onData(listener: (frame: DataFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#socket.close();
  }
}
