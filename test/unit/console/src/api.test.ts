import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// api.ts is typed for the browser (console/tsconfig.json has the DOM library); a static import
// would pull it into the root program, which has node's globals only. So it is loaded by a
// specifier TypeScript does not follow, which also shows its top level runs without a browser.
const apiModule = '../../../../console/src/api.ts';
const { ApiError, connectApi, realtimeUrl, reconnectDelayMs } = (await import(apiModule)) as {
  ApiError: new (errorType: string, message: string) => Error & { errorType: string };
  connectApi(settings: Settings): Api;
  realtimeUrl(graphqlUrl: string): string;
  reconnectDelayMs(attempt: number, random?: () => number): number;
};

/** The parts of console/src/api.ts these tests drive, typed here for the node-only program. */
interface Settings {
  graphqlUrl: string;
  region: string;
  apiKey: string;
  operator: string;
}
type LinkState = 'connecting' | 'live' | 'disrupted';
interface Api {
  subscribe(
    operation: string,
    variables: object,
    handlers: { next(data: unknown): void; ready(): void; error(error: Error): void },
  ): () => void;
  onLinkState(listener: (state: LinkState) => void): () => void;
}

/** A browser WebSocket as far as the link uses it; the test opens, feeds and closes it. */
class FakeSocket {
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static dialled: FakeSocket[] = [];
  readonly url: string;
  readyState = 0;
  sent: { type: string; id?: string }[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.dialled.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as { type: string; id?: string });
  }

  close(): void {
    this.closed = true;
    this.readyState = FakeSocket.CLOSED;
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

  /** Opens and acknowledges the connection, then every subscription started on it. */
  acknowledge(connectionTimeoutMs = 300_000): void {
    this.open();
    this.frame({ type: 'connection_ack', payload: { connectionTimeoutMs } });
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

const settings: Settings = {
  graphqlUrl: 'http://localhost:4000/graphql',
  region: 'us-east-1',
  apiKey: 'da2-key+with/odd=chars',
  operator: '',
};
const lastSocket = () => FakeSocket.dialled.at(-1) as FakeSocket;
let windowEvents: EventTarget;

/** Subscribes once on a fresh API and records the link's states and each `ready`. */
function subscribed() {
  const api = connectApi(settings);
  const states: LinkState[] = [];
  let ready = 0;
  api.onLinkState((state) => states.push(state));
  const stop = api.subscribe(
    'subscription { onAlert { id } }',
    {},
    { next: () => undefined, ready: () => ready++, error: () => undefined },
  );
  return { states, stop, readyCount: () => ready };
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

describe('the real-time link', () => {
  it('given an API key, then the connect URL carries the auth header base64-encoded and URL-encoded', () => {
    // Act
    subscribed();

    // Assess
    const url = new URL(lastSocket().url);
    expect(url.search).not.toMatch(/[+/]|=[^&]*=/);
    const header = JSON.parse(atob(url.searchParams.get('header') as string)) as object;
    expect(header).toEqual({ host: 'localhost:4000', 'x-api-key': settings.apiKey });
  });

  it('given a socket that opens but is never acknowledged, when 15 s pass, then the link is disrupted and redialled without waiting for the close', () => {
    // Prepare
    const { states } = subscribed();
    const first = lastSocket();
    first.open();

    // Act
    vi.advanceTimersByTime(15_000);

    // Assess
    expect(states.at(-1)).toBe('disrupted');
    expect(first.closed).toBe(true);
    expect(first.onclose).toBeNull();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.dialled).toHaveLength(2);
  });

  it('given a live link, when no frame arrives for the keep-alive timeout, then the link is disrupted at once and redialled within the backoff', () => {
    // Prepare
    const { states } = subscribed();
    const first = lastSocket();
    first.acknowledge(10_000);
    expect(states.at(-1)).toBe('live');

    // Act
    vi.advanceTimersByTime(9_000);
    first.frame({ type: 'ka' });
    vi.advanceTimersByTime(9_000);
    expect(states.at(-1)).toBe('live');
    vi.advanceTimersByTime(1_000);

    // Assess: the socket never reported its close, yet the link moved on
    expect(states.at(-1)).toBe('disrupted');
    expect(first.closed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.dialled).toHaveLength(2);
    lastSocket().acknowledge();
    expect(states.at(-1)).toBe('live');
  });

  it('given a socket replaced after going silent, when the old one finally closes, then the new link is untouched', () => {
    // Prepare
    const { states } = subscribed();
    const first = lastSocket();
    first.acknowledge(10_000);
    vi.advanceTimersByTime(10_500);
    lastSocket().acknowledge();

    // Act
    first.drop();

    // Assess
    expect(states.at(-1)).toBe('live');
    expect(FakeSocket.dialled).toHaveLength(2);
  });

  it('given a server that acknowledges and then drops at once, when it keeps doing so, then the redial delay keeps growing', () => {
    // Prepare
    subscribed();
    const gaps: number[] = [];

    // Act: each socket is acknowledged, subscriptions too, and closed straight away
    for (let i = 0; i < 6; i++) {
      const socket = lastSocket();
      socket.acknowledge();
      socket.drop();
      const dialled = FakeSocket.dialled.length;
      let waited = 0;
      while (FakeSocket.dialled.length === dialled) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      gaps.push(waited);
    }

    // Assess: 0.25–0.5 s, then 0.5–1 s, … 8–16 s
    expect(gaps[0]).toBeLessThanOrEqual(500);
    expect(gaps[5]).toBeGreaterThanOrEqual(8_000);
  });

  it('given a link that stayed up a while, when it drops, then it is redialled from the shortest delay again', () => {
    // Prepare: a few quick drops raise the backoff (each waits only for its redial, so no
    // unacknowledged socket times out in between, whatever the backoff's random part)
    subscribed();
    for (let i = 0; i < 4; i++) {
      const socket = lastSocket();
      socket.acknowledge();
      socket.drop();
      while (lastSocket() === socket) vi.advanceTimersByTime(100);
    }
    const stable = lastSocket();
    stable.acknowledge(60_000);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(5_000);
      stable.frame({ type: 'ka' });
    }

    // Act
    stable.drop();
    vi.advanceTimersByTime(500);

    // Assess
    expect(lastSocket()).not.toBe(stable);
  });

  it('given a live link, when the browser comes back online, then it redials at once and the subscription is started again', () => {
    // Prepare: the socket may be half-open after sleep, yet it still reads as live
    const { states, readyCount } = subscribed();
    const first = lastSocket();
    first.acknowledge();
    expect(readyCount()).toBe(1);

    // Act
    windowEvents.dispatchEvent(new Event('online'));

    // Assess
    expect(first.closed).toBe(true);
    expect(FakeSocket.dialled).toHaveLength(2);
    lastSocket().acknowledge();
    expect(states.at(-1)).toBe('live');
    expect(readyCount()).toBe(2);
  });

  it('given a live link, when the browser goes offline, then the link is disrupted', () => {
    // Prepare
    const { states } = subscribed();
    lastSocket().acknowledge();

    // Act
    windowEvents.dispatchEvent(new Event('offline'));

    // Assess
    expect(states.at(-1)).toBe('disrupted');
  });

  it('given the last subscription stops, then the link closes, listeners hear it is no longer live, and nothing redials', () => {
    // Prepare
    const { states, stop } = subscribed();
    const socket = lastSocket();
    socket.acknowledge();

    // Act
    stop();
    windowEvents.dispatchEvent(new Event('online'));
    vi.advanceTimersByTime(60_000);

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
