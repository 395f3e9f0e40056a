/**
 * The console's AppSync client: GraphQL over HTTP with the signed-in user's ID token as
 * `Authorization`, and one websocket speaking
 * AppSync's real-time protocol for every subscription. The link keeps itself up: it watches
 * the server's keep-alives, reconnects with backoff when the socket drops, and starts each
 * subscription again; `ready` tells the page each time a subscription is (re-)established so
 * it can catch up on what it missed. It speaks ws:// to the local stack and wss:// to AWS.
 * A token is asked for before every request, connect and subscription start, so a refreshed
 * one is always what goes out; a token the API refuses is refreshed once, and if the fresh
 * one is refused too the session has ended and the page is told.
 *
 * (AWS Amplify's client always dials wss://, which cannot reach the local stack's plain HTTP
 * endpoint from a browser, hence this small client written from the protocol description.)
 */
import type { Operation } from './operations.ts';
import { realtimeUrl } from './realtime-url.ts';

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
  errorCode?: number;
}

export interface ApiOptions {
  graphqlUrl: string;
  /**
   * The signed-in user's ID token, valid now (`forceRefresh`: a new one even if the last has
   * not expired); null when the session has ended.
   */
  authorization(forceRefresh: boolean): Promise<string | null>;
  /** The API refused a freshly refreshed token, or there is none: the session has ended. */
  onUnauthorized(): void;
}

/** The message for a request refused because the session has ended. */
export const SESSION_ENDED = 'Your session has ended. Sign in again.';

export function connectApi(options: ApiOptions): Api {
  const host = new URL(options.graphqlUrl).host;
  const link = new RealtimeLink(realtimeUrl(options.graphqlUrl), host, options);

  const send = async (query: string, variables: unknown, forceRefresh: boolean) => {
    const token = await sessionToken(options, forceRefresh);
    try {
      return await fetch(options.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError(
        'NetworkError',
        'The API cannot be reached. Check your network, and that the stack is running.',
      );
    }
  };

  return {
    async request(operation, variables) {
      let response = await send(operation, variables, false);
      // Refused before anything ran: the token may have expired in flight; one fresh try.
      if (response.status === 401) response = await send(operation, variables, true);
      const body = (await response.json().catch(() => null)) as {
        data?: unknown;
        errors?: GraphQLErrorBody[];
      } | null;
      if (response.status === 401) {
        options.onUnauthorized();
        throw new ApiError('UnauthorizedException', SESSION_ENDED);
      }
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

/** A token to send; when there is none, the session has ended and the page is told so. */
async function sessionToken(options: ApiOptions, forceRefresh: boolean): Promise<string> {
  let token: string | null;
  try {
    token = await options.authorization(forceRefresh);
  } catch {
    throw new ApiError(
      'NetworkError',
      'Your session could not be refreshed: the user pool cannot be reached.',
    );
  }
  if (token === null) {
    options.onUnauthorized();
    throw new ApiError('UnauthorizedException', SESSION_ENDED);
  }
  return token;
}

function toApiError(error: GraphQLErrorBody): ApiError {
  return new ApiError(error.errorType ?? 'Error', error.message ?? 'The request failed.');
}

/** AppSync refusing a connection's credential: `UnauthorizedException`, or error code 401. */
function isUnauthorized(error: GraphQLErrorBody | undefined): boolean {
  return error?.errorCode === 401 || (error?.errorType ?? '').endsWith('UnauthorizedException');
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
  readonly #host: string;
  readonly #options: ApiOptions;
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
  /** Counts sockets let go of, so work begun for one (a token being fetched) can tell. */
  #generation = 0;
  /** The next dial takes a newly refreshed token: the last one was refused at connect. */
  #refreshNext = false;
  /** The current socket was dialled with a newly refreshed token. */
  #dialledRefreshed = false;

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

  constructor(url: string, host: string, options: ApiOptions) {
    this.#url = url;
    this.#host = host;
    this.#options = options;
  }

  subscribe(data: string, handlers: SubscriptionHandlers<unknown>): () => void {
    const id = `console-${++this.#nextId}`;
    this.#subscriptions.set(id, { data, handlers });
    if (this.#state === 'live') this.#start(id);
    else if (this.#subscriptions.size === 1) {
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
    // Counted from now, so a token refresh or a connect that hangs is caught as well.
    this.#watchSilence(ACK_TIMEOUT_MS);
    this.#dialledRefreshed = this.#refreshNext;
    this.#refreshNext = false;
    void this.#authorization(this.#dialledRefreshed).then((auth) => {
      if (!auth) return;
      const header = encodeURIComponent(btoa(JSON.stringify(auth)));
      const payload = encodeURIComponent(btoa('{}'));
      const socket = new WebSocket(
        `${this.#url}?header=${header}&payload=${payload}`,
        'graphql-ws',
      );
      this.#socket = socket;
      socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
      socket.onmessage = (event) => this.#receive(JSON.parse(String(event.data)) as Frame);
      socket.onclose = () => this.#drop();
    });
  }

  /**
   * AppSync's authorization object for a fresh token, or null when the socket it was for has
   * been let go meanwhile. No token at all ends the session; a failed refresh counts as a drop.
   */
  async #authorization(forceRefresh: boolean): Promise<Record<string, string> | null> {
    const generation = this.#generation;
    let token: string | null;
    try {
      token = await this.#options.authorization(forceRefresh);
    } catch {
      if (generation === this.#generation) this.#drop();
      return null;
    }
    if (generation !== this.#generation) return null;
    if (token === null) {
      this.#unauthorized();
      return null;
    }
    return { host: this.#host, Authorization: token };
  }

  /** The session has ended: stop dialling, and tell the page. */
  #unauthorized(): void {
    this.#detach();
    clearTimeout(this.#retryTimer);
    this.#setState('disrupted');
    this.#options.onUnauthorized();
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
        if (isUnauthorized(frame.payload?.errors?.[0])) {
          // The token was refused: redial at once with a newly refreshed one; refused again,
          // the session has ended.
          if (this.#dialledRefreshed) return this.#unauthorized();
          this.#refreshNext = true;
          this.#connect();
          return;
        }
        // Refused for another reason (the server overloaded, say): retrying with backoff lets
        // the server coming back take effect; the state shows the link is down.
        this.#drop();
        break;
      default:
        break;
    }
  }

  /** Starts a subscription on the live socket, with a token valid now. */
  #start(id: string): void {
    void this.#authorization(false).then((authorization) => {
      const subscription = this.#subscriptions.get(id);
      if (!authorization || !subscription) return;
      this.#send({
        id,
        type: 'start',
        payload: { data: subscription.data, extensions: { authorization } },
      });
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
    this.#generation++;
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
