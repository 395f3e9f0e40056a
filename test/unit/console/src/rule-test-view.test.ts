import { describe, expect, it } from 'vitest';
import { emptyDraft } from '../../../../console/src/rule-draft.ts';
import {
  type BacktestAnswer,
  backtestVariables,
  chartedDevice,
  chartEpisodes,
  episodeText,
  summaryText,
} from '../../../../console/src/rule-test-view.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const draft = {
  ...emptyDraft(),
  metric: ' temperature ',
  operator: 'GT' as const,
  threshold: '60',
};

const answer = (overrides: Partial<BacktestAnswer> = {}): BacktestAnswer => ({
  from: '2026-05-01T11:00:00.000Z',
  to: '2026-05-01T12:00:00.000Z',
  episodes: [
    {
      deviceId: 'D2',
      reason: 'THRESHOLD',
      startedAt: '2026-05-01T11:10:00.000Z',
      endedAt: '2026-05-01T11:20:00.000Z',
      latchedAt: null,
      eventId: 'r1',
      value: 61,
      peak: 75,
      readingsBreached: 3,
    },
    {
      deviceId: 'D2',
      reason: 'THRESHOLD',
      startedAt: '2026-05-01T11:40:00.000Z',
      endedAt: null,
      latchedAt: null,
      eventId: 'r9',
      value: 62,
      peak: 62,
      readingsBreached: 1,
    },
  ],
  episodeCount: 2,
  episodesTruncated: false,
  readingsReplayed: 1234,
  devices: [
    { deviceId: 'D1', readings: 600, episodes: 0 },
    { deviceId: 'D2', readings: 634, episodes: 2 },
  ],
  notes: [],
  ...overrides,
});

describe('backtestVariables', () => {
  it('given the draft as it stands and the last hour, then the create input, the range ending now, and no device when none is picked', () => {
    expect(backtestVariables(draft, '  ', 60, now)).toEqual({
      input: {
        rule: expect.objectContaining({ metric: 'temperature', operator: 'GT', threshold: 60 }),
        from: '2026-05-01T11:00:00.000Z',
        to: '2026-05-01T12:00:00.000Z',
      },
    });
  });

  it('given a device picked, then it is asked for, trimmed', () => {
    expect(backtestVariables(draft, ' D7 ', 60, now).input.deviceId).toBe('D7');
  });
});

describe('summaryText', () => {
  it('given episodes on one of two devices, then it says how many, where and from what', () => {
    expect(summaryText(answer())).toBe(
      '2 episodes would have fired on 1 device: 1,234 readings of 2 devices replayed.',
    );
  });

  it('given none, then it says so', () => {
    expect(summaryText(answer({ episodes: [], episodeCount: 0, readingsReplayed: 1 }))).toBe(
      'No episode would have fired: 1 reading of 2 devices replayed.',
    );
  });

  it('given more episodes than listed, then it says the oldest are listed', () => {
    expect(summaryText(answer({ episodeCount: 5000, episodesTruncated: true }))).toMatch(
      /^5,000 episodes .* The oldest 2 are listed\.$/,
    );
  });
});

describe('the chart', () => {
  it('given episodes on the second device, then it is the one charted, its episodes as bands, the open one open', () => {
    expect(chartedDevice(answer())).toBe('D2');
    expect(chartEpisodes(answer(), 'D2', 'CRITICAL')).toEqual([
      expect.objectContaining({
        severity: 'CRITICAL',
        eventTimestamp: '2026-05-01T11:10:00.000Z',
        resolvedAt: '2026-05-01T11:20:00.000Z',
      }),
      expect.objectContaining({ resolvedAt: null }),
    ]);
    expect(chartEpisodes(answer(), 'D1', 'CRITICAL')).toEqual([]);
  });

  it('given no devices, then nothing is charted', () => {
    expect(chartedDevice(answer({ devices: [], episodes: [], episodeCount: 0 }))).toBeNull();
  });
});

describe('episodeText', () => {
  it('given a latched episode, then it says since when it waits for an acknowledgement', () => {
    const [, open] = answer().episodes;
    const latched = {
      ...(open as BacktestAnswer['episodes'][number]),
      latchedAt: '2026-05-01T11:50:00.000Z',
    };
    expect(episodeText(latched)).toMatch(/\(latched since .*, waiting for an acknowledgement\)/);
  });

  it('given an open episode, then it says it is still open, its value, peak and breaching readings', () => {
    const [, open] = answer().episodes;
    expect(episodeText(open as BacktestAnswer['episodes'][number])).toMatch(
      /to the end of the range \(still open\): fired at 62, peak 62, 1 reading breaching$/,
    );
  });
});
