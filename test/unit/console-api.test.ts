import { describe, expect, it } from 'vitest';

// api.ts is typed for the browser (console/tsconfig.json has the DOM library); a static import
// would pull it into the root program, which has node's globals only. So it is loaded by a
// specifier TypeScript does not follow, which also shows its top level runs without a browser.
const apiModule = '../../console/src/api.ts';
const { ApiError, realtimeUrl, reconnectDelayMs } = (await import(apiModule)) as {
  ApiError: new (errorType: string, message: string) => Error & { errorType: string };
  realtimeUrl(graphqlUrl: string): string;
  reconnectDelayMs(attempt: number, random?: () => number): number;
};

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
