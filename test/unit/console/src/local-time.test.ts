import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  epochOfLocal,
  localDateTimeOf,
  nextLocalHour,
} from '../../../../console/src/local-time.ts';

// The browser's zone, fixed so that local times and daylight-saving changes are known.
const zoneBefore = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  process.env.TZ = zoneBefore;
});

describe('localDateTimeOf and epochOfLocal', () => {
  it('given a time, then the input text is its local date and time to the minute, and reads back as that minute', () => {
    const at = Date.parse('2026-12-05T13:30:45Z');

    const text = localDateTimeOf(at);

    expect(text).toBe('2026-12-05T14:30');
    expect(epochOfLocal(text)).toBe(Date.parse('2026-12-05T13:30:00Z'));
  });

  it('given a summer time, then the local offset of that day is used', () => {
    expect(epochOfLocal('2026-07-01T14:30')).toBe(Date.parse('2026-07-01T12:30:00Z'));
  });

  it.each([
    ['blank', ''],
    ['a date alone', '2026-12-05'],
    ['a space for the T', '2026-12-05 14:30'],
    ['a day that does not exist', '2026-02-30T10:00'],
    ['hour 24', '2026-12-05T24:00'],
    ['minute 60', '2026-12-05T10:60'],
    ['words', 'tomorrow'],
  ])('given %s, then no time is read', (_case, text) => {
    expect(epochOfLocal(text)).toBeNull();
  });
});

describe('nextLocalHour', () => {
  it('given a time before 09:00, then it is 09:00 the same day', () => {
    const now = Date.parse('2026-12-05T07:30:00Z'); // 08:30 in Berlin

    expect(nextLocalHour(now, 9)).toBe(Date.parse('2026-12-05T08:00:00Z'));
  });

  it('given 09:00 exactly or later, then it is 09:00 the next day', () => {
    expect(nextLocalHour(Date.parse('2026-12-05T08:00:00Z'), 9)).toBe(
      Date.parse('2026-12-06T08:00:00Z'),
    );
    expect(nextLocalHour(Date.parse('2026-12-05T20:00:00Z'), 9)).toBe(
      Date.parse('2026-12-06T08:00:00Z'),
    );
  });

  it('given the evening before clocks go forward, then 09:00 is that of the summer morning (23 hours on)', () => {
    const now = Date.parse('2026-03-28T09:00:00Z'); // 10:00 CET, the day before the change

    const next = nextLocalHour(now, 9);

    expect(next).toBe(Date.parse('2026-03-29T07:00:00Z'));
    expect(localDateTimeOf(next)).toBe('2026-03-29T09:00');
  });
});
