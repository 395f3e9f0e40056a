import { describe, expect, it } from 'vitest';
import type { CreateRuleInput } from '../../../generated/graphql.ts';
import {
  aggregate,
  applyReading,
  checkTime,
  closeEpisode,
  type EpisodeState,
  newEpisode,
  type Notification,
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

describe('flapping', () => {
  /** Readings one second apart from `from`. */
  const series = (values: readonly number[], from = 1): [number, number][] =>
    values.map((value, i) => [value, from + i]);
  const steady = (value: number, count: number) => Array<number>(count).fill(value);
  /**
   * Five changes, ten steady readings, five changes: the twentieth reading brings the percent
   * state change to exactly 50 (the default flapHighPercent), ending not firing.
   */
  const ONSET = [70, 20, 70, 20, 70, ...steady(70, 10), 20, 70, 20, 70, 20];

  /** Applies readings, returning every notification decided, in order. */
  function notified(r: Rule, values: [number, number][], start = newEpisode('hot', 'D1')) {
    let state = start;
    const notifications: Notification[] = [];
    for (const [value, second] of values) {
      const step = applyReading(r, state, reading(value, second), t0 + second * 1000);
      notifications.push(...step.state.outbox.slice(state.outbox.length));
      state = step.state;
    }
    return { state, notifications, kinds: notifications.map((n) => n.kind) };
  }

  it('given an oscillating sensor, when the percent state change reaches flapHighPercent exactly, then one FLAPPING notification tells of the current alert, marked flapping', () => {
    // Act
    const before = notified(rule(), series(ONSET.slice(0, -1)));
    const onset = notified(rule(), series(ONSET));

    // Assess
    expect(before.state.flapping).toBe(false);
    expect(before.kinds).not.toContain('FLAPPING');
    expect(onset.state.flapping).toBe(true);
    expect(onset.kinds.slice(-2)).toEqual(['RESOLVED', 'FLAPPING']);
    const [resolved, flapping] = onset.notifications.slice(-2);
    expect(flapping?.alert).toMatchObject({ id: resolved?.alert.id, status: 'RESOLVED' });
    expect(resolved?.alert.flapping).toBe(true);
    expect(flapping?.alert.flapping).toBe(true);
    // Before flapping, alerts carry no mark.
    expect(onset.notifications.slice(0, -2).every((n) => n.alert.flapping === undefined)).toBe(
      true,
    );
  });

  it('given flapHighPercent a hair above what the sensor reaches, then it does not flap and every change is notified as usual', () => {
    const { state, kinds } = notified(rule({ flapHighPercent: 50.01 }), series(ONSET));
    expect(state.flapping).toBe(false);
    expect(kinds.filter((kind) => kind === 'FIRING')).toHaveLength(5);
    expect(kinds.filter((kind) => kind === 'RESOLVED')).toHaveLength(5);
    expect(kinds).not.toContain('FLAPPING');
  });

  it('given a flapping episode that settles healthy, when the percent falls below flapLowPercent, then one FLAPPING_STOPPED tells of the alert that resolved last, no longer flapping', () => {
    // Prepare
    const onset = notified(rule(), series(ONSET));
    const lastResolved = onset.notifications.at(-1)?.alert;

    // Act: seven healthy readings keep the percent above 25, the eighth takes it below.
    const seven = notified(rule(), series(steady(20, 7), 100), onset.state);
    const eight = notified(rule(), series(steady(20, 8), 100), onset.state);

    // Assess
    expect(seven.state.flapping).toBe(true);
    expect(seven.kinds).toEqual([]);
    expect(eight.kinds).toEqual(['FLAPPING_STOPPED']);
    expect(eight.notifications[0]?.alert).toMatchObject({
      id: lastResolved?.id,
      status: 'RESOLVED',
      flapping: false,
    });
    expect(eight.state).toMatchObject({ flapping: false, lastResolved: null });
  });

  it('given a flapping episode that settles firing, then at exactly flapLowPercent it still flaps, and one reading below, one FLAPPING_STOPPED tells of the open alert, no longer flapping', () => {
    // Prepare: four healthy readings, a breach that fires, ten more breaches: exactly 25 %.
    const onset = notified(rule(), series(ONSET));
    const settling = [...steady(20, 4), ...steady(70, 11)];

    // Act
    const atLow = notified(rule(), series(settling, 100), onset.state);
    const below = notified(rule(), series([...settling, 70], 100), onset.state);

    // Assess
    expect(atLow.kinds).toEqual(['FIRING']);
    expect(atLow.state.flapping).toBe(true);
    expect(atLow.state.open?.flapping).toBe(true);
    expect(below.kinds).toEqual(['FIRING', 'FLAPPING_STOPPED']);
    const [fired, stopped] = below.notifications;
    expect(stopped?.alert).toMatchObject({
      id: fired?.alert.id,
      status: 'FIRING',
      flapping: false,
    });
    expect(below.state.open).toMatchObject({ id: fired?.alert.id, flapping: false });
  });

  it('given a sensor oscillating for 60 readings then steady, then exactly one FLAPPING and one FLAPPING_STOPPED, and the alerts between them are all marked flapping', () => {
    // Prepare
    const values = [
      ...Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 70 : 20)),
      ...steady(20, 30),
    ];

    // Act
    const { kinds, notifications, state } = notified(rule(), series(values));

    // Assess
    expect(kinds.filter((kind) => kind === 'FLAPPING')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'FLAPPING_STOPPED')).toHaveLength(1);
    const start = kinds.indexOf('FLAPPING');
    const stop = kinds.indexOf('FLAPPING_STOPPED');
    expect(start).toBeLessThan(stop);
    const during = notifications.slice(start + 1, stop);
    expect(during.length).toBeGreaterThan(40);
    expect(during.every((n) => n.alert.flapping === true)).toBe(true);
    expect(state).toMatchObject({ flapping: false, flapHistory: 0, lastResolved: null });
  });

  it('given flapDetection false, then an oscillating sensor never flaps and its episode keeps no history', () => {
    const values = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 70 : 20));
    const { kinds, state } = notified(rule({ flapDetection: false }), series(values));
    expect(kinds.filter((kind) => kind === 'FIRING')).toHaveLength(30);
    expect(kinds.filter((kind) => kind === 'RESOLVED')).toHaveLength(30);
    expect(kinds.some((kind) => kind.startsWith('FLAPPING'))).toBe(false);
    expect(state).toMatchObject({ flapping: false, flapHistory: 0 });
  });

  it('given flap detection turned off while flapping, then the next reading stops it with one FLAPPING_STOPPED', () => {
    const onset = notified(rule(), series(ONSET));
    const off = notified(rule({ flapDetection: false }), series([20], 100), onset.state);
    expect(off.kinds).toEqual(['FLAPPING_STOPPED']);
    expect(off.state).toMatchObject({ flapping: false, flapHistory: 0 });
  });

  it('given a healthy episode with no change in its history, then a healthy reading returns the very same state, to be stored nowhere', () => {
    const state = newEpisode('hot', 'D1');
    const step = applyReading(rule(), state, reading(20, 1), t0);
    expect(step).toEqual({ state, changed: false });
    expect(step.state).toBe(state);
  });

  it('given an alert that fired and resolved, then the next 20 healthy readings age the history out and are stored, and from the 21st on healthy readings store nothing', () => {
    // Prepare
    const resolved = notified(rule(), series([70, 20])).state;

    // Act
    let state = resolved;
    const stored: boolean[] = [];
    for (let i = 0; i < 25; i++) {
      const step = applyReading(rule(), state, reading(20, 10 + i), t0);
      stored.push(step.changed);
      state = step.state;
    }

    // Assess: the resolution is the newest change; 20 readings later it has left the history.
    expect(stored.indexOf(false)).toBe(20);
    expect(stored.slice(20).every((changed) => !changed)).toBe(true);
    expect(state.flapHistory).toBe(0);
  });

  it('given an alert firing for long, then further breaches store nothing once its firing has aged out', () => {
    const firing = notified(rule(), series(steady(70, 21))).state;
    expect(firing.flapHistory).toBe(0);
    expect(applyReading(rule(), firing, reading(80, 50), t0).changed).toBe(false);
  });

  it('given a flapping episode whose rule is deleted, then its alert resolves marked flapping and one FLAPPING_STOPPED says why it ended', () => {
    // Prepare: flapping, with an alert open.
    const onset = notified(rule(), series([...ONSET, 70]));
    expect(onset.state.flapping).toBe(true);

    // Act
    const closed = closeEpisode(onset.state, t0 + 200_000, 'the rule was disabled or deleted');

    // Assess
    const added = closed.state.outbox.slice(onset.state.outbox.length);
    expect(added.map((n) => n.kind)).toEqual(['RESOLVED', 'FLAPPING_STOPPED']);
    expect(added[0]?.alert).toMatchObject({ status: 'RESOLVED', flapping: true });
    expect(added[1]?.alert).toMatchObject({
      status: 'RESOLVED',
      flapping: false,
      resolution: 'the rule was disabled or deleted',
    });
    expect(closed.state).toMatchObject({ flapping: false, flapHistory: 0, lastResolved: null });
  });

  it('given a flapping episode with nothing open whose rule is deleted, then one FLAPPING_STOPPED tells of the alert that resolved last', () => {
    const onset = notified(rule(), series(ONSET));
    const closed = closeEpisode(onset.state, t0 + 200_000);
    expect(closed.state.outbox.slice(onset.state.outbox.length)).toMatchObject([
      { kind: 'FLAPPING_STOPPED', alert: { status: 'RESOLVED', flapping: false } },
    ]);
  });

  it('given a flapping episode with an alert open, then its repeats are marked flapping too', () => {
    const r = rule({ repeatIntervalSeconds: 60 });
    const onset = notified(r, series([...ONSET, 70]));
    const repeated = checkTime(r, onset.state, t0 + 1_000_000);
    expect(repeated.state.outbox.at(-1)).toMatchObject({
      kind: 'REPEAT',
      alert: { flapping: true },
    });
  });

  it('given thresholds lowered below the percent of an episode at rest, then flapping starts with its next change, which brings an alert to tell of', () => {
    // Prepare: 40 % of changes, then at rest, never having flapped at 50.
    const restless = notified(rule(), series([70, 20, 70, 20, 70, 20, 70, 20]));
    expect(restless.state.flapping).toBe(false);
    const lowered = rule({ flapHighPercent: 10, flapLowPercent: 5 });

    // Act
    const quiet = notified(lowered, series([20], 100), restless.state);
    const change = notified(lowered, series([20, 70], 100), restless.state);

    // Assess
    expect(quiet.kinds).toEqual([]);
    expect(quiet.state.flapping).toBe(false);
    expect(change.kinds).toEqual(['FIRING', 'FLAPPING']);
  });
});
