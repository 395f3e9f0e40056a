import { describe, expect, it } from 'vitest';
import type { CreateRuleInput } from '../../../generated/graphql.ts';
import type { Alert } from '../../../domain/alert.ts';
import {
  acknowledged,
  acknowledgeEpisode,
  applyReading,
  afterReset,
  checkTime,
  type EpisodeState,
  newEpisode,
  resetEpisode,
} from '../../../domain/episode.ts';
import type { Reading } from '../../../domain/reading.ts';
import { newRule, type Rule } from '../../../domain/rule.ts';

const t0 = Date.parse('2026-05-01T12:00:00.000Z');
const at = (second: number) => new Date(t0 + second * 1000).toISOString();
const rule = (input: Partial<CreateRuleInput> = {}): Rule =>
  newRule(
    { metric: 'temperature', operator: 'GT', threshold: 60, ...input },
    'hot',
    '2026-05-01T00:00:00.000Z',
  );
const latched = (input: Partial<CreateRuleInput> = {}) => rule({ latch: true, ...input });
let seq = 0;
const reading = (value: number, second: number): Reading => ({
  id: `r${++seq}`,
  deviceId: 'D1',
  metric: 'temperature',
  value,
  timestamp: at(second),
});

/** Applies readings in order, collecting every notification decided as `KIND:STATUS`. */
function run(r: Rule, values: [number, number][], start: EpisodeState = newEpisode('hot', 'D1')) {
  let state = start;
  const told: string[] = [];
  for (const [value, second] of values) {
    const step = applyReading(r, state, reading(value, second), t0 + second * 1000);
    told.push(...step.state.outbox.slice(state.outbox.length).map(kindAndStatus));
    state = step.state;
  }
  return { state, told };
}
const kindAndStatus = (n: { kind: string; alert: Alert }) => `${n.kind}:${n.alert.status}`;

/** The episode's open alert as the store has it once `by` acknowledged it at `second`. */
const acknowledgement = (state: EpisodeState, by: string, second: number): Alert => ({
  ...(state.open as Alert),
  acknowledgedAt: at(second),
  acknowledgedBy: by,
});

/** Applies an acknowledgement, returning the next state and what it told. */
function acknowledge(state: EpisodeState, by: string, second: number) {
  const step = acknowledgeEpisode(state, acknowledgement(state, by, second), t0 + second * 1000);
  return { ...step, told: step.state.outbox.slice(state.outbox.length).map(kindAndStatus) };
}

describe('latch', () => {
  it('given a latched rule, when the condition clears on an alert nobody acknowledged, then it becomes LATCHED, not RESOLVED, and stays so while readings stay healthy', () => {
    // Act
    const { state, told } = run(latched(), [
      [70, 1],
      [50, 2],
      [40, 3],
      [45, 4],
    ]);

    // Assess
    expect(told).toEqual(['FIRING:FIRING', 'LATCHED:LATCHED']);
    expect(state.open).toMatchObject({ status: 'LATCHED', value: 70, resolvedAt: null });
  });

  it('given a latched alert, when someone acknowledges it, then it resolves at the acknowledgement, saying who, and the episode is back to normal', () => {
    // Prepare
    const { state } = run(latched(), [
      [70, 1],
      [50, 2],
    ]);

    // Act
    const step = acknowledge(state, 'op@example.com', 5);

    // Assess
    expect(step.changed).toBe(true);
    expect(step.told).toEqual(['RESOLVED:RESOLVED']);
    expect(step.state.open).toBeNull();
    expect(step.state.outbox.at(-1)?.alert).toMatchObject({
      status: 'RESOLVED',
      resolvedAt: at(5),
      acknowledgedBy: 'op@example.com',
      resolution: 'acknowledged by op@example.com',
    });
    // The next breach fires a new alert.
    const next = run(latched(), [[80, 6]], step.state);
    expect(next.told).toEqual(['FIRING:FIRING']);
    expect(next.state.open?.id).not.toBe(state.open?.id);
  });

  it('given a latched alert, when its condition returns before anyone acknowledges it, then the same alert fires again, told as a repeat (not fired twice), and latches again when it clears', () => {
    // Prepare
    const { state } = run(latched(), [
      [70, 1],
      [50, 2],
    ]);
    const id = state.open?.id;

    // Act
    const again = run(
      latched(),
      [
        [75, 3],
        [50, 4],
      ],
      state,
    );

    // Assess
    expect(again.told).toEqual(['REPEAT:FIRING', 'LATCHED:LATCHED']);
    expect(again.state.outbox.every((n) => n.alert.id === id)).toBe(true);
  });

  it('given a latched rule with a clear threshold, when a latched alert reads between the two, then it stays latched: only the firing threshold brings it back', () => {
    const r = latched({ clearThreshold: 50 });
    const { state } = run(r, [
      [70, 1],
      [40, 2],
      [55, 3],
    ]);
    expect(state.open?.status).toBe('LATCHED');
    expect(run(r, [[61, 4]], state).told).toEqual(['REPEAT:FIRING']);
  });

  it('given a latched alert (no flap history to age), when healthy readings keep coming, then nothing needs storing', () => {
    const r = latched({ flapDetection: false });
    const { state } = run(r, [
      [70, 1],
      [50, 2],
    ]);
    expect(applyReading(r, state, reading(40, 3), t0 + 3000).changed).toBe(false);
  });

  it('given a rule that does not latch, when the condition clears, then the alert resolves as before', () => {
    expect(
      run(rule(), [
        [70, 1],
        [50, 2],
      ]).told,
    ).toEqual(['FIRING:FIRING', 'RESOLVED:RESOLVED']);
  });

  it('given a latched rule whose alert repeats, then a LATCHED alert is not repeated: it waits for an acknowledgement', () => {
    const r = latched({ repeatIntervalSeconds: 60 });
    const { state } = run(r, [
      [70, 0],
      [50, 1],
    ]);
    expect(checkTime(r, state, t0 + 3600_000).changed).toBe(false);
  });
});

describe('acknowledge', () => {
  it('given a firing alert, when someone acknowledges it, then it is ACKNOWLEDGED (pushed, with who) and resolves when the condition clears, latched rule or not', () => {
    for (const r of [rule(), latched()]) {
      // Prepare
      const { state } = run(r, [[70, 1]]);

      // Act
      const step = acknowledge(state, 'op@example.com', 2);
      const cleared = run(r, [[50, 3]], step.state);

      // Assess
      expect(step.told).toEqual(['ACKNOWLEDGED:ACKNOWLEDGED']);
      expect(step.state.open).toMatchObject({
        status: 'ACKNOWLEDGED',
        acknowledgedBy: 'op@example.com',
        // Nobody was e-mailed: the notification time stays the firing's.
        notifiedAt: state.open?.notifiedAt,
      });
      expect(cleared.told).toEqual(['RESOLVED:RESOLVED']);
      expect(cleared.state.outbox.at(-1)?.alert.resolution).toBeUndefined();
    }
  });

  it('given an acknowledged alert still breaching, then further breaches keep it ACKNOWLEDGED and it is not repeated', () => {
    const r = rule({ repeatIntervalSeconds: 60 });
    const { state } = acknowledge(run(r, [[70, 1]]).state, 'op@example.com', 2);
    const later = run(r, [[80, 3]], state);
    expect(later.told).toEqual([]);
    expect(later.state.open?.status).toBe('ACKNOWLEDGED');
    expect(checkTime(r, later.state, t0 + 3600_000).changed).toBe(false);
  });

  it('given an alert acknowledged already, when the acknowledgement is applied again (a redelivered message), then nothing changes', () => {
    const { state } = acknowledge(run(rule(), [[70, 1]]).state, 'op@example.com', 2);
    expect(acknowledge(state, 'op@example.com', 2).changed).toBe(false);
  });

  it('given an alert the episode no longer has open, or no acknowledgement stored, then applying one changes nothing', () => {
    const fired = run(rule(), [[70, 1]]).state;
    const resolved = run(rule(), [[50, 2]], fired).state;
    const gone = { ...(fired.open as Alert), acknowledgedAt: at(3), acknowledgedBy: 'op' };
    expect(acknowledgeEpisode(resolved, gone, t0 + 3000).changed).toBe(false);
    expect(acknowledgeEpisode(fired, fired.open as Alert, t0 + 3000).changed).toBe(false);
  });

  it('given a NO_DATA alert, when someone acknowledges it, then it is ACKNOWLEDGED until the device reports again', () => {
    const r = latched({ noDataSeconds: 60 });
    const silent = checkTime(r, run(r, [[20, 0]]).state, t0 + 60_000).state;
    const noData = { ...(silent.noData as Alert), acknowledgedAt: at(61), acknowledgedBy: 'op' };
    const step = acknowledgeEpisode(silent, noData, t0 + 61_000);
    expect(step.state.noData?.status).toBe('ACKNOWLEDGED');
    expect(run(r, [[20, 62]], step.state).told).toEqual(['RESOLVED:RESOLVED']);
  });

  it.each([
    ['FIRING', 'ACKNOWLEDGED'],
    ['LATCHED', 'RESOLVED'],
    ['ACKNOWLEDGED', 'ACKNOWLEDGED'],
    ['RESOLVED', 'RESOLVED'],
  ] as const)(
    'given a %s alert with an acknowledgement stored, then acknowledgeAlert answers %s',
    (from, to) => {
      const { state } = run(rule(), [[70, 1]]);
      const alert: Alert = { ...acknowledgement(state, 'op', 2), status: from };
      expect(acknowledged(alert).status).toBe(to);
    },
  );
});

describe('reset', () => {
  const reset = { by: 'op@example.com', at: at(10) };

  it('given a firing alert of a for-3 window rule, when it is reset, then it resolves at the reset, saying who, and the next breach must count to 3 again in a fresh window', () => {
    // Prepare
    const r = rule({ forReadings: 3, windowSeconds: 60, aggregation: 'MAX' });
    const { state } = run(r, [
      [70, 1],
      [71, 2],
      [72, 3],
    ]);
    expect(state.open?.status).toBe('FIRING');

    // Act
    const step = resetEpisode(state, state.open?.id ?? '', reset);

    // Assess
    expect(step.changed).toBe(true);
    expect(step.state).toMatchObject({ open: null, consecutive: 0, window: [] });
    expect(step.state.outbox.at(-1)).toMatchObject({
      kind: 'RESOLVED',
      alert: { status: 'RESOLVED', resolvedAt: at(10), resolution: 'reset by op@example.com' },
    });
    expect(step.state.outbox.at(-1)?.alert).toEqual(
      afterReset(state.open as Alert, reset.by, reset.at),
    );
    // The window held 72: without the reset, one more breach would fire at once.
    expect(
      run(
        r,
        [
          [73, 11],
          [74, 12],
        ],
        step.state,
      ).told,
    ).toEqual([]);
    expect(
      run(
        r,
        [
          [73, 11],
          [74, 12],
          [75, 13],
        ],
        step.state,
      ).told,
    ).toEqual(['FIRING:FIRING']);
  });

  it('given a latched alert, when it is reset, then it resolves without an acknowledgement and the latch is gone', () => {
    const { state } = run(latched(), [
      [70, 1],
      [50, 2],
    ]);
    const step = resetEpisode(state, state.open?.id ?? '', reset);
    expect(step.state.open).toBeNull();
    expect(run(latched(), [[40, 11]], step.state).told).toEqual([]);
    expect(run(latched(), [[80, 11]], step.state).told).toEqual(['FIRING:FIRING']);
  });

  it('given an alert the episode no longer has open, when it is reset, then nothing changes (it resolved by itself)', () => {
    const fired = run(rule(), [[70, 1]]).state;
    const resolved = run(rule(), [[50, 2]], fired).state;
    expect(resetEpisode(resolved, fired.open?.id ?? '', reset).changed).toBe(false);
  });

  it('given a NO_DATA alert, when it is reset, then it resolves, saying who', () => {
    const r = rule({ noDataSeconds: 60 });
    const silent = checkTime(r, run(r, [[20, 0]]).state, t0 + 60_000).state;
    const step = resetEpisode(silent, silent.noData?.id ?? '', reset);
    expect(step.state.noData).toBeNull();
    expect(step.state.outbox.at(-1)?.alert.resolution).toBe('reset by op@example.com');
  });
});
