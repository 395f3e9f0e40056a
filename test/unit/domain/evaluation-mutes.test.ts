import { describe, expect, it } from 'vitest';
import { emailDecision } from '../../../domain/delivery.ts';
import type { Alert } from '../../../domain/alert.ts';
import { evaluateReadings, releaseHeld, runWork } from '../../../domain/evaluation.ts';
import { type Metrics, noMetrics } from '../../../domain/metrics.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeEpisodeStore,
  FakeMutes,
  FakeReadingStore,
  muteDeps,
} from '../../support/fakes.ts';
import { reading, rule, t0 } from '../../support/builders.ts';

/** One worker with every rule "temperature > 60" and silences and windows in `mutes`. */
function setup(metrics: Metrics = noMetrics) {
  let clock = t0 + 60_000;
  const mutes = new FakeMutes();
  const index = new RuleIndex([rule('hot')]);
  const deps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: { loadMany: async () => new Map(), recordSightings: async () => undefined },
    episodes: new FakeEpisodeStore(),
    alerts: new FakeAlertStore(),
    notifier: new FakeChannel(),
    publisher: new FakeChannel(),
    now: () => clock,
    sleep: async () => undefined,
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    metrics,
    ...muteDeps(mutes),
  };
  return { deps, mutes, tick: (ms: number) => (clock += ms) };
}

const ofDevice = (deviceId: string) => (alert: Alert) => alert.deviceId === deviceId;
const emailed = (channel: FakeChannel) => channel.sent.map((a) => `${a.deviceId}:${a.status}`);

describe('silences and maintenance windows in delivery', () => {
  it('given an active silence of D1, when D1 and D2 fire, then both are recorded and pushed, D1 marked silenced and held, and only D2 is e-mailed', async () => {
    const { deps, mutes } = setup();
    mutes.add('S1', ofDevice('D1'));

    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);

    expect(deps.publisher.sent.map((a) => [a.deviceId, a.silenced, a.silenceId])).toEqual(
      expect.arrayContaining([
        ['D1', true, 'S1'],
        ['D2', false, null],
      ]),
    );
    expect(emailed(deps.notifier)).toEqual(['D2:FIRING']);
    const d1 = [...deps.alerts.items.values()].find((e) => e.alert.deviceId === 'D1')!.alert;
    expect(d1).toMatchObject({ silenced: true, silenceId: 'S1' });
    expect(await deps.alerts.held()).toEqual([
      expect.objectContaining({ alertId: d1.id, muteId: 'S1', ruleId: 'hot', deviceId: 'D1' }),
    ]);
  });

  it('given a silenced alert still firing, when the silence ends and the release runs twice, then one notification goes out, unsilenced, and the hold is gone', async () => {
    const { deps, mutes, tick } = setup();
    mutes.add('S1', ofDevice('D1'));
    await evaluateReadings([reading('a', 70, 1)], deps);
    expect(await releaseHeld(deps)).toEqual({ released: 0, errors: [] });

    mutes.items.get('S1')!.active = false;
    tick(1000);
    const first = await releaseHeld(deps);
    const second = await releaseHeld(deps);

    expect(first).toEqual({ released: 1, errors: [] });
    expect(second).toEqual({ released: 0, errors: [] });
    expect(emailed(deps.notifier)).toEqual(['D1:FIRING']);
    expect(deps.notifier.sent[0]).toMatchObject({ silenced: false, silenceId: null });
    // Subscribers learn it is no longer muted.
    expect(deps.publisher.sent.at(-1)).toMatchObject({ status: 'FIRING', silenced: false });
    expect(await deps.alerts.held()).toEqual([]);
  });

  it('given an alert that fired and resolved under a silence, when the silence ends, then its resolution is e-mailed once by default, and not at all when the silence says not to', async () => {
    for (const notifyResolved of [true, false]) {
      const { deps, mutes, tick } = setup();
      mutes.add('S1', ofDevice('D1'), { notifyResolved });
      await evaluateReadings([reading('a', 70, 1), reading('b', 20, 2)], deps);
      expect(emailed(deps.notifier)).toEqual([]);

      mutes.items.get('S1')!.active = false;
      tick(1000);
      await releaseHeld(deps);
      await releaseHeld(deps);

      expect(emailed(deps.notifier)).toEqual(notifyResolved ? ['D1:RESOLVED'] : []);
      expect(await deps.alerts.held()).toEqual([]);
    }
  });

  it('given a pending silence, when an alert fires before it starts and another after, then the first is e-mailed and the second held', async () => {
    const { deps, mutes } = setup();
    mutes.add('S1', () => true, { active: false });
    await evaluateReadings([reading('a', 70, 1, 'D1')], deps);

    mutes.items.get('S1')!.active = true;
    await evaluateReadings([reading('b', 70, 2, 'D2')], deps);

    expect(emailed(deps.notifier)).toEqual(['D1:FIRING']);
    expect((await deps.alerts.held()).map((hold) => hold.deviceId)).toEqual(['D2']);
  });

  it('given two silences of D1, when the first ends while the second is active, then the release e-mails nothing and the second holds the alert', async () => {
    const { deps, mutes } = setup();
    mutes.add('S1', ofDevice('D1'));
    await evaluateReadings([reading('a', 70, 1)], deps);
    mutes.add('S2', ofDevice('D1'));

    mutes.items.get('S1')!.active = false;
    await releaseHeld(deps);

    expect(emailed(deps.notifier)).toEqual([]);
    expect((await deps.alerts.held()).map((hold) => hold.muteId)).toEqual(['S2']);

    // The second ends: the alert, still firing, is told once.
    mutes.items.get('S2')!.active = false;
    await releaseHeld(deps);
    expect(emailed(deps.notifier)).toEqual(['D1:FIRING']);
  });

  it('given a maintenance window that was deleted, when the release runs, then its held alerts are released', async () => {
    const { deps, mutes } = setup();
    mutes.add('W1', ofDevice('D1'), { kind: 'MAINTENANCE_WINDOW' });
    await evaluateReadings([reading('a', 70, 1)], deps);

    mutes.items.delete('W1');
    await runWork({ type: 'releaseMute', muteId: 'W1' }, deps);

    expect(emailed(deps.notifier)).toEqual(['D1:FIRING']);
  });

  it('given alerts held by two silences, when one is released by its work message, then only its alerts are told', async () => {
    const { deps, mutes } = setup();
    mutes.add('S1', ofDevice('D1'));
    mutes.add('S2', ofDevice('D2'));
    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);
    mutes.items.get('S1')!.active = false;
    mutes.items.get('S2')!.active = false;

    await runWork({ type: 'releaseMute', muteId: 'S1' }, deps);

    expect(emailed(deps.notifier)).toEqual(['D1:FIRING']);
    expect((await deps.alerts.held()).map((hold) => hold.muteId)).toEqual(['S2']);
  });

  it('given a mute the worker set does not hold yet, when the release runs, then it asks the store and keeps the alert held while the mute is active', async () => {
    const { deps, mutes } = setup();
    mutes.add('S1', ofDevice('D1'));
    await evaluateReadings([reading('a', 70, 1)], deps);
    // The set is older than the mute; the store has it, active.
    deps.mutes = async () => ({ mutedBy: () => null, get: () => null });

    await releaseHeld(deps);

    expect(emailed(deps.notifier)).toEqual([]);
    expect(await deps.alerts.held()).toHaveLength(1);
  });

  it('given muted notifications, then they are counted by what muted them, not as sent', async () => {
    const counted: string[] = [];
    const metrics: Metrics = {
      add: (name, _value, dimension) => counted.push(`${name}:${dimension}`),
    };
    const { deps, mutes } = setup(metrics);
    mutes.add('S1', ofDevice('D1'));
    mutes.add('W1', ofDevice('D2'), { kind: 'MAINTENANCE_WINDOW' });

    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);

    expect(counted).toEqual(
      expect.arrayContaining([
        'NotificationsMuted:silence',
        'NotificationsMuted:maintenanceWindow',
        'NotificationsSent:push',
      ]),
    );
    expect(counted).not.toContain('NotificationsSent:sns');
  });
});

describe('emailDecision', () => {
  const alert = { deviceId: 'D1', flapping: true } as Alert;
  const none = new FakeMutes();

  it('given a flapping alert, then single fire, resolve and repeat e-mails are skipped and the flapping ones sent', () => {
    for (const kind of ['FIRING', 'RESOLVED', 'REPEAT'] as const) {
      expect(emailDecision({ key: 'k', kind, alert }, none, t0)).toEqual({
        action: 'skip',
        why: 'flapping',
      });
    }
    for (const kind of ['FLAPPING', 'FLAPPING_STOPPED', 'UNSILENCED'] as const) {
      expect(emailDecision({ key: 'k', kind, alert }, none, t0)).toEqual({ action: 'send' });
    }
  });

  it('given a silence matching a flapping alert, then even its flapping notifications are held', () => {
    const mutes = new FakeMutes();
    mutes.add('S1', ofDevice('D1'));
    expect(emailDecision({ key: 'k', kind: 'FLAPPING', alert }, mutes, t0)).toMatchObject({
      action: 'hold',
      mute: { id: 'S1', kind: 'SILENCE', notifyResolved: true },
    });
  });
});
