/**
 * The console's AppSync client: GraphQL over HTTP with the API key, and one websocket speaking
 * AppSync's real-time protocol for every subscription. The link keeps itself up: it watches
 * the server's keep-alives, reconnects with backoff when the socket drops, and starts each
 * subscription again; `ready` tells the page each time a subscription is (re-)established so
 * it can catch up on what it missed. It speaks ws:// to the local stack and wss:// to AWS.
 *
 * (AWS Amplify's client always dials wss://, which cannot reach the local stack's plain HTTP
 * endpoint from a browser, hence this small client written from the protocol description.)
 */
import type { Operation } from './operations.ts';
import { realtimeUrl } from './realtime-url.ts';
import type { Settings } from './settings.ts';

export { realtimeUrl };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly errorType: string;

  constructor(errorType: string, message: string) {
    super(message);
    this.errorType = errorType;
  }
}

export type LinkState = 'connecting' | 'live' | 'disrupted';

export interface SubscriptionHandlers<R> {
  next(data: R): void;
  /** Runs each time the subscription is acknowledged: at first, and after every reconnection. */
  ready(): void;
  error(error: ApiError): void;
}

export interface Api {
  request<V, R>(operation: Operation<V, R>, variables: V): Promise<R>;
  /** Starts a subscription; returns how to stop it. */
  subscribe<V, R>(
    operation: Operation<V, R>,
    variables: V,
    handlers: SubscriptionHandlers<R>,
  ): () => void;
  /** Reports the real-time link's state as it changes; returns how to stop listening. */
  onLinkState(listener: (state: LinkState) => void): () => void;
}

interface GraphQLErrorBody {
  errorType?: string;
  message?: string;
}

export function connectApi(settings: Settings): Api {
  const auth = { host: new URL(settings.graphqlUrl).host, 'x-api-key': settings.apiKey };
  const link = new RealtimeLink(realtimeUrl(settings.graphqlUrl), auth);

  return {
    async request(operation, variables) {
      let response: Response;
      try {
        response = await fetch(settings.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': settings.apiKey },
          body: JSON.stringify({ query: operation, variables }),
        });
      } catch {
        throw new ApiError(
          'NetworkError',
          'The API cannot be reached. Check the endpoint in Settings and that the stack is running.',
        );
      }
      const body = (await response.json().catch(() => null)) as {
        data?: unknown;
        errors?: GraphQLErrorBody[];
      } | null;
      const first = body?.errors?.[0];
      if (first) throw toApiError(first);
      if (!response.ok || !body?.data) {
        throw new ApiError('HttpError', `The API answered HTTP ${response.status}.`);
      }
      return body.data as never;
    },
    subscribe: (operation, variables, handlers) =>
      link.subscribe(JSON.stringify({ query: operation, variables }), handlers as never),
    onLinkState: (listener) => link.onState(listener),
  };
}

function toApiError(error: GraphQLErrorBody): ApiError {
  return new ApiError(error.errorType ?? 'Error', error.message ?? 'The request failed.');
}

/** Delay before the given reconnection attempt: doubling from 0.5 s up to 30 s, with jitter. */
export function reconnectDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + random() * (base / 2));
}

interface Frame {
  type: string;
  id?: string;
  payload?: { data?: unknown; errors?: GraphQLErrorBody[]; connectionTimeoutMs?: number };
}

/** How long a new socket may take to be acknowledged before it counts as dropped. */
const ACK_TIMEOUT_MS = 15_000;
/** How long a link must stay up before a drop is redialled from the shortest delay again. */
const STABLE_MS = 10_000;

/** One websocket shared by the console's subscriptions, kept up while any is open. */
class RealtimeLink {
  readonly #url: string;
  readonly #auth: Record<string, string>;
  readonly #subscriptions = new Map<
    string,
    { data: string; handlers: SubscriptionHandlers<unknown> }
  >();
  readonly #listeners = new Set<(state: LinkState) => void>();
  #socket: WebSocket | null = null;
  #state: LinkState = 'connecting';
  #attempt = 0;
  /** When the current socket was acknowledged; null until it is. */
  #liveSince: number | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Runs out when the server has been silent too long: before its ack, or between keep-alives. */
  #silenceTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveMs = 300_000;
  #nextId = 0;

  /**
   * Back online: redial now rather than at the end of the backoff. A socket that still reads
   * as live may be half-open after sleep or a network change, so it is replaced too.
   */
  readonly #online = () => {
    if (this.#subscriptions.size > 0) this.#connect();
  };

  /** Offline: the socket cannot be working, whatever it reads; say so and keep retrying. */
  readonly #offline = () => {
    if (this.#subscriptions.size > 0) this.#drop();
  };

  constructor(url: string, auth: Record<string, string>) {
    this.#url = url;
    this.#auth = auth;
  }

  subscribe(data: string, handlers: SubscriptionHandlers<unknown>): () => void {
    const id = `console-${++this.#nextId}`;
    this.#subscriptions.set(id, { data, handlers });
    if (this.#state === 'live') this.#start(id);
    else if (!this.#socket) {
      addEventListener('online', this.#online);
      addEventListener('offline', this.#offline);
      this.#connect();
    }
    return () => {
      this.#subscriptions.delete(id);
      if (this.#state === 'live') this.#send({ type: 'stop', id });
      if (this.#subscriptions.size === 0) this.#close();
    };
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }

  #connect(): void {
    clearTimeout(this.#retryTimer);
    this.#detach();
    this.#setState(this.#attempt === 0 ? 'connecting' : 'disrupted');
    const header = encodeURIComponent(btoa(JSON.stringify(this.#auth)));
    const payload = encodeURIComponent(btoa('{}'));
    const socket = new WebSocket(`${this.#url}?header=${header}&payload=${payload}`, 'graphql-ws');
    this.#socket = socket;
    // Counted from the dial, so a connect that hangs before opening is caught as well.
    this.#watchSilence(ACK_TIMEOUT_MS);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (event) => this.#receive(JSON.parse(String(event.data)) as Frame);
    socket.onclose = () => this.#drop();
  }

  #receive(frame: Frame): void {
    if (this.#liveSince !== null) this.#watchSilence(this.#keepAliveMs);
    const subscription = frame.id ? this.#subscriptions.get(frame.id) : undefined;
    switch (frame.type) {
      case 'connection_ack':
        this.#keepAliveMs = frame.payload?.connectionTimeoutMs ?? this.#keepAliveMs;
        this.#watchSilence(this.#keepAliveMs);
        this.#liveSince = Date.now();
        this.#setState('live');
        for (const id of this.#subscriptions.keys()) this.#start(id);
        break;
      case 'start_ack':
        subscription?.handlers.ready();
        break;
      case 'data':
        subscription?.handlers.next(frame.payload?.data);
        break;
      case 'error': {
        const error = toApiError(frame.payload?.errors?.[0] ?? {});
        if (subscription) subscription.handlers.error(error);
        break;
      }
      case 'connection_error':
        // Refused at connect (a wrong key, say): retrying with backoff lets a fix in Settings,
        // or the server coming back, take effect; the state shows the link is down.
        this.#drop();
        break;
      default:
        break;
    }
  }

  #start(id: string): void {
    const subscription = this.#subscriptions.get(id);
    if (!subscription) return;
    this.#send({
      id,
      type: 'start',
      payload: { data: subscription.data, extensions: { authorization: this.#auth } },
    });
  }

  /** No frame for that long means the link is dead, though the socket may not know yet. */
  #watchSilence(ms: number): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => this.#drop(), ms);
  }

  /**
   * The link is gone (closed, silent, refused or offline): let go of the socket at once rather
   * than wait for its close, which on a dead network can take a minute, and redial after the
   * backoff. A link that had stayed up a while starts the backoff afresh; one that the server
   * acknowledged and dropped at once does not, so such a server is not dialled in a tight loop.
   */
  #drop(): void {
    this.#detach();
    if (this.#subscriptions.size === 0) return;
    this.#setState('disrupted');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), reconnectDelayMs(this.#attempt++));
  }

  /** Closes the socket, if any, with its handlers removed so it can no longer touch the link. */
  #detach(): void {
    clearTimeout(this.#silenceTimer);
    if (this.#liveSince !== null && Date.now() - this.#liveSince >= STABLE_MS) this.#attempt = 0;
    this.#liveSince = null;
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.close();
  }

  #send(frame: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #close(): void {
    removeEventListener('online', this.#online);
    removeEventListener('offline', this.#offline);
    clearTimeout(this.#retryTimer);
    this.#detach();
    this.#setState('connecting');
    this.#attempt = 0;
  }
}
