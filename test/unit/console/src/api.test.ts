import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// api.ts is typed for the browser (console/tsconfig.json has the DOM library); a static import
// would pull it into the root program, which has node's globals only. So it is loaded by a
// specifier TypeScript does not follow, which also shows its top level runs without a browser.
const apiModule = '../../../../console/src/api.ts';
const { ApiError, connectApi, realtimeUrl, reconnectDelayMs, SESSION_ENDED } = (await import(
  apiModule
)) as {
  ApiError: new (errorType: string, message: string) => Error & { errorType: string };
  connectApi(options: ApiOptions): Api;
  realtimeUrl(graphqlUrl: string): string;
  reconnectDelayMs(attempt: number, random?: () => number): number;
  SESSION_ENDED: string;
};

/** The parts of console/src/api.ts these tests drive, typed here for the node-only program. */
interface ApiOptions {
  graphqlUrl: string;
  authorization(forceRefresh: boolean): Promise<string | null>;
  onUnauthorized(): void;
}
type LinkState = 'connecting' | 'live' | 'disrupted';
interface Api {
  request(operation: string, variables: object): Promise<unknown>;
  subscribe(
    operation: string,
    variables: object,
    handlers: { next(data: unknown): void; ready(): void; error(error: Error): void },
  ): () => void;
  onLinkState(listener: (state: LinkState) => void): () => void;
}

interface SentFrame {
  type: string;
  id?: string;
  payload?: { extensions?: { authorization?: Record<string, string> } };
}

/** A browser WebSocket as far as the link uses it; the test opens, feeds and closes it. */
class FakeSocket {
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static dialled: FakeSocket[] = [];
  readonly url: string;
  readyState = 0;
  sent: SentFrame[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.dialled.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as SentFrame);
  }

  close(): void {
    this.closed = true;
    this.readyState = FakeSocket.CLOSED;
  }

  /** The connect-time header the socket was dialled with, decoded. */
  header(): Record<string, string> {
    const header = new URL(this.url).searchParams.get('header') as string;
    return JSON.parse(atob(header)) as Record<string, string>;
  }

  /** The server side: the socket opens. */
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  /** The server side: one frame arrives. */
  frame(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /**
   * Opens and acknowledges the connection, then every subscription started on it (each start
   * waits for its token, hence the pause before they are acknowledged).
   */
  async acknowledge(connectionTimeoutMs = 300_000): Promise<void> {
    this.open();
    this.frame({ type: 'connection_ack', payload: { connectionTimeoutMs } });
    await settle();
    for (const start of this.sent.filter((frame) => frame.type === 'start')) {
      this.frame({ type: 'start_ack', id: start.id });
    }
  }

  /** The server side: the socket closes. */
  drop(): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.();
  }
}

/** Lets pending promises (a token being fetched) run, without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

const graphqlUrl = 'http://localhost:4000/graphql';
const lastSocket = () => FakeSocket.dialled.at(-1) as FakeSocket;
let windowEvents: EventTarget;

/**
 * An API whose token source hands out `token-1`, `token-2`, … (null once `ended` is set), and
 * which counts how often it was told the session ended.
 */
function session() {
  const state = { issued: 0, forced: 0, ended: false, unauthorized: 0 };
  const api = connectApi({
    graphqlUrl,
    authorization: async (forceRefresh) => {
      if (state.ended) return null;
      if (forceRefresh) state.forced++;
      return `token-${++state.issued}`;
    },
    onUnauthorized: () => state.unauthorized++,
  });
  return { api, state };
}

/** Subscribes once on a fresh API and records the link's states and each `ready`. */
async function subscribed() {
  const { api, state } = session();
  const states: LinkState[] = [];
  let ready = 0;
  api.onLinkState((linkState) => states.push(linkState));
  const stop = api.subscribe(
    'subscription { onAlert { id } }',
    {},
    { next: () => undefined, ready: () => ready++, error: () => undefined },
  );
  await settle();
  return { states, stop, state, readyCount: () => ready };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.dialled = [];
  windowEvents = new EventTarget();
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('addEventListener', windowEvents.addEventListener.bind(windowEvents));
  vi.stubGlobal('removeEventListener', windowEvents.removeEventListener.bind(windowEvents));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the real-time link: authorization', () => {
  it('given a signed-in user, then the connect URL carries the host and their token, base64-encoded and URL-encoded', async () => {
    // Act
    await subscribed();

    // Assess
    const url = new URL(lastSocket().url);
    expect(url.search).not.toMatch(/[+/]|=[^&]*=/);
    expect(lastSocket().header()).toEqual({ host: 'localhost:4000', Authorization: 'token-1' });
  });

  it('given a live link, then each start carries the host and a token fetched for it', async () => {
    // Prepare
    await subscribed();

    // Act
    await lastSocket().acknowledge();

    // Assess
    const start = lastSocket().sent.find((frame) => frame.type === 'start');
    expect(start?.payload?.extensions?.authorization).toEqual({
      host: 'localhost:4000',
      Authorization: 'token-2',
    });
  });

  it('given a dropped link, when it redials, then it connects with a token fetched anew', async () => {
    // Prepare
    await subscribed();
    const first = lastSocket();
    await first.acknowledge();

    // Act
    first.drop();
    await vi.advanceTimersByTimeAsync(500);

    // Assess
    expect(FakeSocket.dialled).toHaveLength(2);
    expect(lastSocket().header().Authorization).toBe('token-3');
  });

  it('given a token refused at connect, when the link redials, then it forces a refresh first and does not end the session', async () => {
    // Prepare
    const { state } = await subscribed();
    lastSocket().open();

    // Act
    lastSocket().frame({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'expired' }] },
    });
    await settle();

    // Assess
    expect(FakeSocket.dialled).toHaveLength(2);
    expect(state.forced).toBe(1);
    expect(lastSocket().header().Authorization).toBe('token-2');
    expect(state.unauthorized).toBe(0);
  });

  it('given a refreshed token refused at connect too, then the session has ended and nothing redials', async () => {
    // Prepare
    const { state, states } = await subscribed();
    const refuse = () => {
      lastSocket().open();
      lastSocket().frame({
        type: 'connection_error',
        payload: { errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }] },
      });
    };

    // Act
    refuse();
    await settle();
    refuse();
    await vi.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(state.unauthorized).toBe(1);
    expect(FakeSocket.dialled).toHaveLength(2);
    expect(states.at(-1)).toBe('disrupted');
  });

  it('given a session that has ended, when the link would dial, then it does not and the page is told', async () => {
    // Prepare
    const { api, state } = session();
    state.ended = true;

    // Act
    api.subscribe(
      'subscription { onAlert { id } }',
      {},
      {
        next: () => undefined,
        ready: () => undefined,
        error: () => undefined,
      },
    );
    await vi.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(FakeSocket.dialled).toHaveLength(0);
    expect(state.unauthorized).toBe(1);
  });
});

describe('requests over HTTP', () => {
  /** Answers each request with the next of `answers`, recording the Authorization sent. */
  function serve(...answers: { status: number; body: object }[]) {
    const sent: (string | null)[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string> }) => {
      sent.push(init.headers.authorization ?? null);
      const answer = answers.shift() ?? { status: 500, body: {} };
      return new Response(JSON.stringify(answer.body), { status: answer.status });
    });
    return sent;
  }
  const refused = {
    status: 401,
    body: { errors: [{ errorType: 'UnauthorizedException', message: 'Unauthorized' }] },
  };

  it('given a signed-in user, then the request carries their token as Authorization', async () => {
    // Prepare
    const sent = serve({ status: 200, body: { data: { rules: [] } } });
    const { api } = session();

    // Act
    const data = await api.request('query { rules { items { id } } }', {});

    // Assess
    expect(data).toEqual({ rules: [] });
    expect(sent).toEqual(['token-1']);
  });

  it('given a token refused with 401, when the refreshed one is accepted, then the answer is returned and the session goes on', async () => {
    // Prepare
    const sent = serve(refused, { status: 200, body: { data: { ok: true } } });
    const { api, state } = session();

    // Act
    const data = await api.request('query { ok }', {});

    // Assess
    expect(data).toEqual({ ok: true });
    expect(sent).toEqual(['token-1', 'token-2']);
    expect(state.forced).toBe(1);
    expect(state.unauthorized).toBe(0);
  });

  it('given the refreshed token refused too, then the session has ended: the page is told and the request fails saying so', async () => {
    // Prepare
    serve(refused, refused);
    const { api, state } = session();

    // Act
    const request = api.request('query { ok }', {});

    // Assess
    await expect(request).rejects.toMatchObject({
      errorType: 'UnauthorizedException',
      message: SESSION_ENDED,
    });
    expect(state.unauthorized).toBe(1);
  });

  it('given a field the role may not use, then its Unauthorized error is returned and the session goes on', async () => {
    // Prepare
    serve({
      status: 200,
      body: {
        data: null,
        errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access createRule' }],
      },
    });
    const { api, state } = session();

    // Act
    const request = api.request('mutation { createRule }', {});

    // Assess
    await expect(request).rejects.toMatchObject({ errorType: 'Unauthorized' });
    expect(state.unauthorized).toBe(0);
  });

  it('given a session that has ended, then nothing is sent and the page is told', async () => {
    // Prepare
    const sent = serve();
    const { api, state } = session();
    state.ended = true;

    // Act and assess
    await expect(api.request('query { ok }', {})).rejects.toMatchObject({
      errorType: 'UnauthorizedException',
    });
    expect(sent).toEqual([]);
    expect(state.unauthorized).toBe(1);
  });
});

describe('the real-time link: staying up', () => {
  it('given a socket that opens but is never acknowledged, when 15 s pass, then the link is disrupted and redialled without waiting for the close', async () => {
    // Prepare
    const { states } = await subscribed();
    const first = lastSocket();
    first.open();

    // Act
    await vi.advanceTimersByTimeAsync(15_000);

    // Assess
    expect(states.at(-1)).toBe('disrupted');
    expect(first.closed).toBe(true);
    expect(first.onclose).toBeNull();
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.dialled).toHaveLength(2);
  });

  it('given a live link, when no frame arrives for the keep-alive timeout, then the link is disrupted at once and redialled within the backoff', async () => {
    // Prepare
    const { states } = await subscribed();
    const first = lastSocket();
    await first.acknowledge(10_000);
    expect(states.at(-1)).toBe('live');

    // Act
    await vi.advanceTimersByTimeAsync(9_000);
    first.frame({ type: 'ka' });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(states.at(-1)).toBe('live');
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess: the socket never reported its close, yet the link moved on
    expect(states.at(-1)).toBe('disrupted');
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.dialled).toHaveLength(2);
    await lastSocket().acknowledge();
    expect(states.at(-1)).toBe('live');
  });

  it('given a socket replaced after going silent, when the old one finally closes, then the new link is untouched', async () => {
    // Prepare
    const { states } = await subscribed();
    const first = lastSocket();
    await first.acknowledge(10_000);
    await vi.advanceTimersByTimeAsync(10_500);
    await lastSocket().acknowledge();

    // Act
    first.drop();

    // Assess
    expect(states.at(-1)).toBe('live');
    expect(FakeSocket.dialled).toHaveLength(2);
  });

  it('given a server that acknowledges and then drops at once, when it keeps doing so, then the redial delay keeps growing', async () => {
    // Prepare
    await subscribed();
    const gaps: number[] = [];

    // Act: each socket is acknowledged, subscriptions too, and closed straight away
    for (let i = 0; i < 6; i++) {
      const socket = lastSocket();
      await socket.acknowledge();
      socket.drop();
      const dialled = FakeSocket.dialled.length;
      let waited = 0;
      while (FakeSocket.dialled.length === dialled) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      gaps.push(waited);
    }

    // Assess: 0.25–0.5 s, then 0.5–1 s, … 8–16 s
    expect(gaps[0]).toBeLessThanOrEqual(500);
    expect(gaps[5]).toBeGreaterThanOrEqual(8_000);
  });

  it('given a link that stayed up a while, when it drops, then it is redialled from the shortest delay again', async () => {
    // Prepare: a few quick drops raise the backoff (each waits only for its redial, so no
    // unacknowledged socket times out in between, whatever the backoff's random part)
    await subscribed();
    for (let i = 0; i < 4; i++) {
      const socket = lastSocket();
      await socket.acknowledge();
      socket.drop();
      while (lastSocket() === socket) await vi.advanceTimersByTimeAsync(100);
    }
    const stable = lastSocket();
    await stable.acknowledge(60_000);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(5_000);
      stable.frame({ type: 'ka' });
    }

    // Act
    stable.drop();
    await vi.advanceTimersByTimeAsync(500);

    // Assess
    expect(lastSocket()).not.toBe(stable);
  });

  it('given a live link, when the browser comes back online, then it redials at once and the subscription is started again', async () => {
    // Prepare: the socket may be half-open after sleep, yet it still reads as live
    const { states, readyCount } = await subscribed();
    const first = lastSocket();
    await first.acknowledge();
    expect(readyCount()).toBe(1);

    // Act
    windowEvents.dispatchEvent(new Event('online'));
    await settle();

    // Assess
    expect(first.closed).toBe(true);
    expect(FakeSocket.dialled).toHaveLength(2);
    await lastSocket().acknowledge();
    expect(states.at(-1)).toBe('live');
    expect(readyCount()).toBe(2);
  });

  it('given a live link, when the browser goes offline, then the link is disrupted', async () => {
    // Prepare
    const { states } = await subscribed();
    await lastSocket().acknowledge();

    // Act
    windowEvents.dispatchEvent(new Event('offline'));

    // Assess
    expect(states.at(-1)).toBe('disrupted');
  });

  it('given the last subscription stops, then the link closes, listeners hear it is no longer live, and nothing redials', async () => {
    // Prepare
    const { states, stop } = await subscribed();
    const socket = lastSocket();
    await socket.acknowledge();

    // Act
    stop();
    windowEvents.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(socket.sent.at(-1)).toMatchObject({ type: 'stop' });
    expect(socket.closed).toBe(true);
    expect(states.at(-1)).toBe('connecting');
    expect(FakeSocket.dialled).toHaveLength(1);
  });
});

describe('realtimeUrl', () => {
  it.each([
    [
      'an AppSync domain',
      'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql',
      'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/graphql',
    ],
    [
      'the local stack over HTTP',
      'http://localhost:4000/graphql',
      'ws://localhost:4000/graphql/realtime',
    ],
    [
      'the local stack over HTTPS',
      'https://localhost:4443/graphql',
      'wss://localhost:4443/graphql/realtime',
    ],
    [
      'a custom domain',
      'https://api.example.com/graphql',
      'wss://api.example.com/graphql/realtime',
    ],
    [
      'a custom domain with a trailing slash',
      'https://api.example.com/graphql/',
      'wss://api.example.com/graphql/realtime',
    ],
  ])(
    'given %s, then the real-time endpoint is the matching websocket URL',
    (_case, graphqlUrl, expected) => {
      expect(realtimeUrl(graphqlUrl)).toBe(expected);
    },
  );

  it('given a URL that is not one, then it throws rather than dialling something else', () => {
    expect(() => realtimeUrl('not a url')).toThrow();
  });
});

describe('reconnectDelayMs', () => {
  const lowest = () => 0;
  const highest = () => 0.999_999;

  it('given the first attempt, then the delay is between 0.25 s and 0.5 s', () => {
    expect(reconnectDelayMs(0, lowest)).toBe(250);
    expect(reconnectDelayMs(0, highest)).toBe(500);
    expect(reconnectDelayMs(0, () => 0.5)).toBe(375);
  });

  it('given later attempts with the same jitter, then the delay grows with each attempt until the cap', () => {
    // Prepare
    const attempts = Array.from({ length: 12 }, (_, attempt) => attempt);

    // Act
    const delays = attempts.map((attempt) => reconnectDelayMs(attempt, () => 0.5));

    // Assess
    for (let i = 1; i < delays.length; i++) {
      expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] as number);
    }
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[5]).toBeGreaterThan(delays[4] as number);
    expect(delays.at(-1)).toBe(22_500);
  });

  it.each([0, 1, 3, 6, 10, 50, 2000])(
    'given attempt %d and any jitter, then the delay stays within 0.25 s and 30 s',
    (attempt) => {
      for (const random of [lowest, () => 0.25, () => 0.5, () => 0.75, highest]) {
        const delay = reconnectDelayMs(attempt, random);
        expect(delay).toBeGreaterThanOrEqual(250);
        expect(delay).toBeLessThanOrEqual(30_000);
        expect(Number.isInteger(delay)).toBe(true);
      }
    },
  );

  it('given many attempts, then the delay reaches the 30 s cap and never passes it', () => {
    expect(reconnectDelayMs(20, highest)).toBe(30_000);
    expect(reconnectDelayMs(20, lowest)).toBe(15_000);
  });
});

describe('ApiError', () => {
  it('given an AppSync error type, then it is kept beside the message', () => {
    const error = new ApiError('Unauthorized', 'You are not authorized.');

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ApiError');
    expect(error.errorType).toBe('Unauthorized');
    expect(error.message).toBe('You are not authorized.');
  });
});
