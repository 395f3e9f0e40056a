import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import type { Notification } from '../../../domain/episode.ts';
import {
  type EvaluationDeps,
  evaluateReadings,
  resolveLeftRuleTarget,
} from '../../../domain/evaluation.ts';
import { noMetrics } from '../../../domain/metrics.ts';
import type { AlertNotifier } from '../../../domain/ports.ts';
import type { Rule } from '../../../domain/rule.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeDeviceStore,
  FakeEpisodeStore,
  FakeMutes,
  FakeReadingStore,
  muteDeps,
} from '../../support/fakes.ts';
import { reading, rule, t0 } from '../../support/builders.ts';

// A flapping episode through the worker: every change is recorded and pushed, marked; the
// e-mail channel is handed the FLAPPING and FLAPPING_STOPPED notifications once each, and
// none of the single changes while flapping (domain/delivery.ts drops those).

/** The e-mail channel as the worker hands it notifications: their kinds, in order. */
class KindsNotifier implements AlertNotifier {
  readonly received: Notification[] = [];
  async notify(notification: Notification): Promise<void> {
    this.received.push(notification);
  }
}

function setup(rules: Rule[] = [rule('hot')]) {
  const index = new RuleIndex(rules);
  const episodes = new FakeEpisodeStore();
  const alerts = new FakeAlertStore();
  const publisher = new FakeChannel();
  const notifier = new KindsNotifier();
  let saves = 0;
  const save = episodes.save.bind(episodes);
  episodes.save = (...args) => {
    saves++;
    return save(...args);
  };
  const deps: EvaluationDeps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: new FakeDeviceStore(),
    episodes,
    alerts,
    notifier,
    publisher,
    now: () => t0 + 3_600_000,
    sleep: async () => {},
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    metrics: noMetrics,
    ...muteDeps(new FakeMutes()),
  };
  return { deps, alerts, publisher, notifier, saves: () => saves };
}

/** Sends each value as its own batch, one second apart, as separate calls reach the worker. */
async function sendEach(deps: EvaluationDeps, values: readonly number[], from: number) {
  for (const [i, value] of values.entries()) {
    const failed = await evaluateReadings([reading(`r${from + i}`, value, from + i)], deps);
    expect(failed.size).toBe(0);
  }
}

const oscillating = (count: number) =>
  Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 70 : 20));

describe('a flapping episode through the worker', () => {
  it('given a sensor oscillating and then steady, then every change is recorded and pushed, those while flapping marked, and e-mail gets the changes before flapping, one FLAPPING and one FLAPPING_STOPPED', async () => {
    // Prepare
    const { deps, alerts, publisher, notifier } = setup();

    // Act: the ninth change starts flapping; settled, the fourteenth steady reading stops it.
    await sendEach(deps, oscillating(40), 0);
    await sendEach(deps, Array<number>(20).fill(20), 100);

    // Assess: e-mail is handed the eight changes before flapping, then the start and the stop.
    expect(notifier.received.map((n) => n.kind)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 'FIRING' : 'RESOLVED')),
      'FLAPPING',
      'FLAPPING_STOPPED',
    ]);
    // One push per notification: 20 firings, 20 resolutions, the start and the stop; from
    // the ninth firing on marked flapping, the last one (the stop) no longer.
    expect(publisher.sent).toHaveLength(42);
    expect(publisher.sent.slice(0, 8).every((alert: Alert) => !alert.flapping)).toBe(true);
    expect(publisher.sent.slice(8, 41).every((alert: Alert) => alert.flapping === true)).toBe(true);
    expect(publisher.sent[41]).toMatchObject({ status: 'RESOLVED', flapping: false });
    // Every alert fired while flapping is recorded marked; the last resolved one is unmarked.
    const recorded = [...alerts.items.values()].map((entry) => entry.alert);
    expect(recorded).toHaveLength(20);
    expect(recorded.filter((alert) => alert.flapping === true)).toHaveLength(15);
    expect(recorded.find((alert) => alert.id === publisher.sent[41]?.id)?.flapping).toBe(false);
  });

  it('given flapDetection false, then the same sensor is notified at every change and never as flapping', async () => {
    // Prepare
    const { deps, notifier, publisher } = setup([rule('hot', { flapDetection: false })]);

    // Act
    await sendEach(deps, oscillating(40), 0);

    // Assess
    expect(notifier.received.map((n) => n.kind)).toEqual(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'FIRING' : 'RESOLVED')),
    );
    expect(publisher.sent.some((alert) => alert.flapping)).toBe(false);
  });

  it('given a healthy device, then its healthy readings write no episode', async () => {
    // Prepare
    const { deps, saves } = setup();

    // Act
    await sendEach(deps, Array<number>(30).fill(20), 0);

    // Assess
    expect(saves()).toBe(0);
  });

  it("given a flapping episode with nothing open, when the rule's selector no longer selects the device, then one FLAPPING_STOPPED tells of the alert that resolved last", async () => {
    // Prepare: flapping, the last reading resolved.
    const { deps, notifier, publisher } = setup();
    await sendEach(deps, oscillating(20), 0);
    expect(publisher.sent.at(-1)).toMatchObject({ status: 'RESOLVED', flapping: true });
    expect(notifier.received.map((n) => n.kind)).toContain('FLAPPING');

    // Act
    await resolveLeftRuleTarget('hot', [{ key: 'site', operator: 'EQ', values: ['paris'] }], deps);

    // Assess
    expect(notifier.received.at(-1)).toMatchObject({
      kind: 'FLAPPING_STOPPED',
      alert: { status: 'RESOLVED', flapping: false },
    });
    expect(notifier.received.filter((n) => n.kind === 'FLAPPING_STOPPED')).toHaveLength(1);
  });
});
