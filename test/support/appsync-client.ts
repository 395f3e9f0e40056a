import { WebSocket } from 'ws';
import { waitFor } from './ports.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { errorType?: string; message: string; path?: unknown[] }[];
}

/** Sends a GraphQL request with the API key, as any AppSync client does over HTTP. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  apiKey: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/**
 * A subscription over AppSync's real-time protocol (API key auth), written from the
 * protocol description so it tests the endpoint rather than a client library.
 */
export class RealtimeSubscription {
  readonly received: Record<string, unknown>[] = [];
  readonly errors: unknown[] = [];
  readonly #socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  static async open(
    realtimeUrl: string,
    graphqlUrl: string,
    apiKey: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<RealtimeSubscription> {
    const auth = { host: new URL(graphqlUrl).host, 'x-api-key': apiKey };
    const header = Buffer.from(JSON.stringify(auth)).toString('base64');
    const socket = new WebSocket(`${realtimeUrl}?header=${header}&payload=e30=`, 'graphql-ws');
    const subscription = new RealtimeSubscription(socket);
    let acknowledged = false;
    let started = false;
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as {
        type: string;
        payload?: { data?: Record<string, unknown> };
      };
      if (message.type === 'connection_ack') acknowledged = true;
      else if (message.type === 'start_ack') started = true;
      else if (message.type === 'data' && message.payload?.data)
        subscription.received.push(message.payload.data);
      else if (message.type === 'error' || message.type === 'connection_error')
        subscription.errors.push(message);
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => acknowledged, 'connection_ack');
    socket.send(
      JSON.stringify({
        id: 'sub-1',
        type: 'start',
        payload: {
          data: JSON.stringify({ query, variables }),
          extensions: { authorization: auth },
        },
      }),
    );
    await waitFor(() => started || subscription.errors.length > 0, 'start_ack');
    if (!started) throw new Error(`Subscription refused: ${JSON.stringify(subscription.errors)}`);
    return subscription;
  }

  close(): void {
    this.#socket.close();
  }
}
