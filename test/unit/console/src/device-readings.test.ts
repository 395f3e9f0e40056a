import { describe, expect, it } from 'vitest';

// device-readings.ts names the browser-typed Api; loaded as console-api.test.ts loads api.ts.
const readingsModule = '../../../../console/src/device-readings.ts';
const { MAX_READINGS, readingsSince } = (await import(readingsModule)) as {
  MAX_READINGS: number;
  readingsSince(
    api: { request(operation: string, variables: Variables): Promise<unknown> },
    deviceId: string,
    from: string,
  ): Promise<{ readings: { id: string }[]; truncated: boolean }>;
};

interface Variables {
  deviceId: string;
  from: string;
  limit: number;
  nextToken: string | null;
}

/** An API whose events query pages through `total` readings, `pageSize` at most per page. */
function eventsApi(total: number, pageSize = 1000) {
  const calls: Variables[] = [];
  return {
    calls,
    async request(_operation: string, variables: Variables) {
      calls.push(variables);
      const start = Number(variables.nextToken ?? 0);
      const end = Math.min(total, start + Math.min(pageSize, variables.limit));
      const items = Array.from({ length: end - start }, (_, i) => ({
        id: String(start + i),
        metric: 'temperature',
        value: 20,
        timestamp: '2026-05-01T12:00:00.000Z',
      }));
      return { events: { items, nextToken: end < total ? String(end) : null } };
    },
  };
}

describe('readingsSince', () => {
  it('given fewer readings than the limit over several pages, then all are returned and none is said to be left out', async () => {
    // Prepare
    const api = eventsApi(2_500);

    // Act
    const result = await readingsSince(api, 'boiler-1', '2026-05-01T11:00:00.000Z');

    // Assess
    expect(result.readings).toHaveLength(2_500);
    expect(result.truncated).toBe(false);
    expect(api.calls.map((call) => call.nextToken)).toEqual([null, '1000', '2000']);
  });

  it('given more readings than the limit, then the newest up to the limit are returned and the cut is reported', async () => {
    // Prepare
    const api = eventsApi(MAX_READINGS + 700);

    // Act
    const result = await readingsSince(api, 'boiler-1', '2026-05-01T11:00:00.000Z');

    // Assess
    expect(result.readings).toHaveLength(MAX_READINGS);
    expect(result.readings[0]?.id).toBe('0');
    expect(result.truncated).toBe(true);
  });

  it('given a server that answers with fewer items than asked, then the limit is still not passed', async () => {
    const api = eventsApi(MAX_READINGS * 2, 300);

    const result = await readingsSince(api, 'boiler-1', '2026-05-01T11:00:00.000Z');

    expect(result.readings.length).toBeLessThanOrEqual(MAX_READINGS);
    expect(result.truncated).toBe(true);
  });
});
