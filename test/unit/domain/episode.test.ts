import { describe, expect, it } from 'vitest';
import type { CreateRuleInput } from '../../../generated/graphql.ts';
import {
  aggregate,
  applyReading,
  checkTime,
  closeEpisode,
  type EpisodeState,
  newEpisode,
} from '../../../domain/episode.ts';
import type { Reading } from '../../../domain/reading.ts';
import { newRule, type Rule } from '../../../domain/rule.ts';

const t0 = Date.parse('2026-05-01T12:00:00.000Z');
const rule = (input: Partial<CreateRuleInput> = {}): Rule =>
  newRule(
    { metric: 'temperature', operator: 'GT', threshold: 60, ...input },
    'hot',
    '2026-05-01T00:00:00.000Z',
  );
let seq = 0;
const reading = (value: number, second: number, id = `r${++seq}`): Reading => ({
  id,
  deviceId: 'D1',
  metric: 'temperature',
  value,
  timestamp: new Date(t0 + second * 1000).toISOString(),
});

/** Applies readings in order, collecting every notification decided. */
function run(r: Rule, values: [number, number][], start: EpisodeState = newEpisode('hot', 'D1')) {
  let state = start;
  const kinds: string[] = [];
  for (const [value, second] of values) {
    const step = applyReading(r, state, reading(value, second), t0 + second * 1000);
    kinds.push(
      ...step.state.outbox.slice(state.outbox.length).map((n) => `${n.kind}:${n.alert.reason}`),
    );
    state = step.state;
  }
  return { state, kinds };
}

describe('threshold lifecycle', () => {
  it('given a plain rule, when readings breach, stay and clear, then one FIRING and one RESOLVED, never one per reading', () => {
    const { state, kinds } = run(rule(), [
      [61, 1],
      [70, 2],
      [80, 3],
      [50, 4],
      [40, 5],
    ]);
    expect(kinds).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect(state.open).toBeNull();
    const [fired, resolved] = state.outbox.map((n) => n.alert);
    expect(fired?.id).toBe(resolved?.id);
    expect(resolved).toMatchObject({
      status: 'RESOLVED',
      value: 61,
      resolvedAt: new Date(t0 + 4000).toISOString(),
    });
  });

  it('given a healthy reading on a healthy plain rule, then nothing needs storing', () => {
    const step = applyReading(rule(), newEpisode('hot', 'D1'), reading(20, 1), t0);
    expect(step.changed).toBe(false);
  });

  it('given forReadings 3, when the third consecutive breach arrives, then one alert fires; an interruption restarts the count', () => {
    expect(
      run(rule({ forReadings: 3 }), [
        [61, 1],
        [62, 2],
      ]).kinds,
    ).toEqual([]);
    expect(
      run(rule({ forReadings: 3 }), [
        [61, 1],
        [62, 2],
        [63, 3],
      ]).kinds,
    ).toEqual(['FIRING:THRESHOLD']);
    expect(
      run(rule({ forReadings: 3 }), [
        [61, 1],
        [62, 2],
        [10, 3],
        [63, 4],
        [64, 5],
      ]).kinds,
    ).toEqual([]);
  });

  it('given a clearThreshold, when the value falls between it and the threshold, then the alert stays firing until it crosses the clear level', () => {
    const { kinds, state } = run(rule({ clearThreshold: 50 }), [
      [61, 1],
      [55, 2],
      [58, 3],
    ]);
    expect(kinds).toEqual(['FIRING:THRESHOLD']);
    expect(state.open).not.toBeNull();
    expect(
      run(rule({ clearThreshold: 50 }), [
        [61, 1],
        [55, 2],
        [50, 3],
      ]).kinds,
    ).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
  });

  it.each([
    [
      'AVG',
      [
        [50, 1],
        [80, 2],
      ],
      65,
      true,
    ],
    [
      'AVG',
      [
        [50, 1],
        [60, 2],
      ],
      55,
      false,
    ],
    [
      'MAX',
      [
        [10, 1],
        [70, 2],
        [10, 3],
      ],
      70,
      true,
    ],
    [
      'MIN',
      [
        [59, 1],
        [70, 2],
        [80, 3],
      ],
      59,
      false,
    ],
    [
      'SUM',
      [
        [30, 1],
        [31, 2],
      ],
      61,
      true,
    ],
    [
      'COUNT',
      [
        [1, 1],
        [1, 2],
        [1, 3],
      ],
      3,
      false,
    ],
  ] as const)(
    'given a %s window, when readings %j arrive, then the window value is %d and fires: %s',
    (aggregation, values, value, fires) => {
      const { kinds, state } = run(
        rule({ windowSeconds: 60, aggregation }),
        values.map(([v, s]) => [v, s]),
      );
      expect(kinds.includes('FIRING:THRESHOLD')).toBe(fires);
      if (fires) expect(state.open?.value).toBe(value);
    },
  );

  it('given a 10 s window, when an old reading leaves the window, then it no longer counts', () => {
    const r = rule({ windowSeconds: 10, aggregation: 'AVG' });
    const { kinds } = run(r, [
      [100, 0],
      [40, 15],
    ]);
    expect(kinds).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
  });

  it('given EQ and NEQ operators, then they fire on equality and inequality', () => {
    expect(run(rule({ operator: 'EQ', threshold: 1 }), [[1, 1]]).kinds).toEqual([
      'FIRING:THRESHOLD',
    ]);
    expect(
      run(rule({ operator: 'NEQ', threshold: 1 }), [
        [1, 1],
        [2, 2],
      ]).kinds,
    ).toEqual(['FIRING:THRESHOLD']);
  });
});

describe('delivery order and duplicates', () => {
  it('given the same reading twice, then the second changes nothing', () => {
    const r = rule();
    const first = applyReading(r, newEpisode('hot', 'D1'), reading(70, 1, 'same'), t0);
    const again = applyReading(r, first.state, reading(70, 1, 'same'), t0);
    expect(again.changed).toBe(false);
    expect(again.state).toBe(first.state);
  });

  it('given a reading older than the last applied one, then it cannot resolve a newer firing', () => {
    const r = rule();
    const fired = applyReading(r, newEpisode('hot', 'D1'), reading(70, 10), t0);
    const late = applyReading(r, fired.state, reading(20, 5), t0);
    expect(late.changed).toBe(false);
    expect(late.state.open).not.toBeNull();
  });
});

describe('time-driven checks', () => {
  it('given noDataSeconds 60, when a device is silent for 60 s, then NO_DATA fires once, and its next reading resolves it', () => {
    const r = rule({ noDataSeconds: 60 });
    const { state } = run(r, [[20, 0]]);
    expect(checkTime(r, state, t0 + 59_000).changed).toBe(false);
    const silent = checkTime(r, state, t0 + 60_000);
    expect(silent.state.outbox.map((n) => `${n.kind}:${n.alert.reason}`)).toEqual([
      'FIRING:NO_DATA',
    ]);
    expect(checkTime(r, silent.state, t0 + 90_000).changed).toBe(false);
    const back = applyReading(r, silent.state, reading(20, 100), t0 + 100_000);
    expect(back.state.outbox.at(-1)).toMatchObject({
      kind: 'RESOLVED',
      alert: { reason: 'NO_DATA', status: 'RESOLVED' },
    });
    expect(back.state.noData).toBeNull();
  });

  it('given a device that never reported, then no NO_DATA fires for it', () => {
    expect(checkTime(rule({ noDataSeconds: 1 }), newEpisode('hot', 'D9'), t0 + 1e9).changed).toBe(
      false,
    );
  });

  it('given a no-data rule, then a reading is stored only when the device was last seen a quarter of the silence ago', () => {
    const r = rule({ noDataSeconds: 60 });
    const first = applyReading(r, newEpisode('hot', 'D1'), reading(20, 0), t0);
    expect(first.changed).toBe(true);
    expect(applyReading(r, first.state, reading(20, 10), t0).changed).toBe(false);
    expect(applyReading(r, first.state, reading(20, 15), t0).changed).toBe(true);
  });

  it('given repeatIntervalSeconds 300, then a firing alert is notified again every 300 s and not before', () => {
    const r = rule({ repeatIntervalSeconds: 300 });
    const { state } = run(r, [[70, 0]]);
    expect(checkTime(r, state, t0 + 299_000).changed).toBe(false);
    const repeated = checkTime(r, state, t0 + 300_000);
    expect(repeated.state.outbox.at(-1)?.kind).toBe('REPEAT');
    expect(checkTime(r, repeated.state, t0 + 599_000).changed).toBe(false);
    expect(checkTime(r, repeated.state, t0 + 600_000).changed).toBe(true);
  });

  it('given no repeat interval, then a firing alert is never repeated', () => {
    const r = rule();
    expect(checkTime(r, run(r, [[70, 0]]).state, t0 + 1e9).changed).toBe(false);
  });
});

describe('closing', () => {
  it('given open threshold and no-data alerts, when the rule goes away, then both resolve', () => {
    const r = rule({ noDataSeconds: 1 });
    const silent = checkTime(r, run(r, [[70, 0]]).state, t0 + 5000).state;
    const closed = closeEpisode(silent, t0 + 6000);
    expect(closed.state.outbox.slice(-2).map((n) => `${n.kind}:${n.alert.reason}`)).toEqual([
      'RESOLVED:THRESHOLD',
      'RESOLVED:NO_DATA',
    ]);
    expect(closeEpisode(closed.state, t0).changed).toBe(false);
  });
});

describe('aggregate', () => {
  it('given readings, then each aggregation combines them', () => {
    const window = [
      { t: 1, v: 2 },
      { t: 2, v: 4 },
      { t: 3, v: 9 },
    ];
    expect(['AVG', 'MIN', 'MAX', 'COUNT', 'SUM'].map((a) => aggregate(a as never, window))).toEqual(
      [5, 2, 9, 3, 15],
    );
  });
});
