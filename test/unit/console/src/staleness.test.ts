import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STALE_MINUTES,
  isStale,
  staleMinutesOf,
} from '../../../../console/src/staleness.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

describe('isStale', () => {
  it('given the default threshold, then a device seen 10 minutes ago is not stale and one seen 10 minutes and a second ago is', () => {
    expect(DEFAULT_STALE_MINUTES).toBe(10);
    expect(isStale(minutesAgo(10), now, DEFAULT_STALE_MINUTES)).toBe(false);
    expect(isStale(new Date(now - 601_000).toISOString(), now, DEFAULT_STALE_MINUTES)).toBe(true);
  });

  it('given a threshold of an hour, then a device seen 30 minutes ago is not stale', () => {
    expect(isStale(minutesAgo(30), now, 60)).toBe(false);
    expect(isStale(minutesAgo(61), now, 60)).toBe(true);
  });

  it('given a last seen time ahead of the page’s clock, then the device is not stale', () => {
    expect(isStale(minutesAgo(-5), now, 1)).toBe(false);
  });
});

describe('staleMinutesOf', () => {
  it.each([
    ['10', 10],
    [' 90 ', 90],
    ['1', 1],
    ['10080', 10_080],
  ])('given %j, then %d minutes', (text, minutes) => {
    expect(staleMinutesOf(text)).toBe(minutes);
  });

  it.each(['', '0', '-5', '2.5', '10 min', '10081', 'ten'])(
    'given %j, then no threshold: the page keeps the last good one',
    (text) => {
      expect(staleMinutesOf(text)).toBeNull();
    },
  );
});
