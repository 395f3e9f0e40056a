import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { evaluateReadings, runWork, type EvaluationDeps } from '../../../domain/evaluation.ts';
import { type Metrics, noMetrics } from '../../../domain/metrics.ts';
import { episodeKey } from '../../../domain/ports.ts';
import type { Rule } from '../../../domain/rule.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import { reading, rule, t0 } from '../../support/builders.ts';
import { emfOf, pointsOf, sumOf } from '../../support/emf.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeEpisodeStore,
  FakeReadingStore,
  FakeMutes,
  muteDeps,
} from '../../support/fakes.ts';

/** Evaluation with in-memory ports, recording to `metrics`; `fired` lists what onAlertFired was told. */
function setup(metrics: Metrics, rules: Rule[] = [rule('hot', { severity: 'CRITICAL' })]) {
  const index = new RuleIndex(rules);
  const fired: Alert[] = [];
  const deps: EvaluationDeps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: { loadMany: async () => new Map(), recordSightings: async () => undefined },
    episodes: new FakeEpisodeStore(),
    alerts: new FakeAlertStore(),
    notifier: new FakeChannel(),
    publisher: new FakeChannel(),
    now: () => t0 + 60_000,
    sleep: async () => undefined,
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics,
    onAlertFired: (alert) => fired.push(alert),
  };
  return { deps, fired };
}

describe('evaluation metrics', () => {
  it('given a batch whose breaching reading fires an alert, then the readings evaluated, the alert fired by severity and both notifications sent are counted', async () => {
    let fired: Alert[] = [];
    const points = await emfOf(async (metrics) => {
      const run = setup(metrics);
      fired = run.fired;
      await evaluateReadings([reading('r1', 20, 1), reading('r2', 70, 2)], run.deps);
    });

    expect(pointsOf(points, 'ReadingsEvaluated')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [2] }),
    ]);
    expect(pointsOf(points, 'AlertsFired', { severity: 'CRITICAL' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    // The e-mail channel adds the notification to its group; the group's SNS message counts as
    // `sns` when it is sent (domain/notification-groups.ts).
    expect(sumOf(points, 'NotificationsSent', { channel: 'group' })).toBe(1);
    expect(sumOf(points, 'NotificationsSent', { channel: 'sns' })).toBe(0);
    expect(sumOf(points, 'NotificationsSent', { channel: 'push' })).toBe(1);
    expect(sumOf(points, 'AlertsResolved', { severity: 'CRITICAL' })).toBe(0);
    // The alert that fired is told once, and carries its reading's id: the correlation id.
    expect(fired.map((alert) => alert.eventId)).toEqual(['r2']);
  });

  it('given a firing alert, when a healthy reading arrives, then AlertsResolved counts it by severity and nothing fires again', async () => {
    const points = await emfOf(async (metrics) => {
      const { deps } = setup(metrics, [rule('warm', { severity: 'WARNING' })]);
      await evaluateReadings([reading('r1', 70, 1)], { ...deps, metrics: noMetrics });
      await evaluateReadings([reading('r2', 20, 2)], deps);
    });

    expect(pointsOf(points, 'AlertsResolved', { severity: 'WARNING' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(sumOf(points, 'AlertsFired', { severity: 'WARNING' })).toBe(0);
  });

  it('given the e-mail channel fails, then NotificationsFailed counts it for group and the push still counts as sent', async () => {
    const points = await emfOf(async (metrics) => {
      const { deps } = setup(metrics);
      (deps.notifier as FakeChannel).failuresLeft = 1;
      await evaluateReadings([reading('r1', 70, 1)], deps);
    });

    expect(pointsOf(points, 'NotificationsFailed', { channel: 'group' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(sumOf(points, 'NotificationsSent', { channel: 'group' })).toBe(0);
    expect(sumOf(points, 'NotificationsSent', { channel: 'push' })).toBe(1);
  });

  it('given the push fails, then NotificationsFailed counts it for push', async () => {
    const points = await emfOf(async (metrics) => {
      const { deps } = setup(metrics);
      (deps.publisher as FakeChannel).failuresLeft = 1;
      await evaluateReadings([reading('r1', 70, 1)], deps);
    });

    expect(sumOf(points, 'NotificationsFailed', { channel: 'push' })).toBe(1);
    expect(sumOf(points, 'NotificationsSent', { channel: 'group' })).toBe(1);
  });

  it('given another worker stores the episode first, then EpisodeWriteConflicts counts the retried write', async () => {
    const points = await emfOf(async (metrics) => {
      const { deps } = setup(metrics, [rule('hot', { forReadings: 3 })]);
      const episodes = deps.episodes as FakeEpisodeStore;
      // Another worker moves the same episode between this one's read and its write.
      episodes.beforeSave = async () => {
        const key = episodeKey('hot', 'D1');
        const current = (await episodes.loadMany([{ ruleId: 'hot', deviceId: 'D1' }])).get(key);
        if (current) await episodes.save({ ...current, consecutive: 1 }, current.version);
      };
      await evaluateReadings([reading('r1', 70, 1)], deps);
    });

    expect(pointsOf(points, 'EpisodeWriteConflicts')).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
  });

  it('given an acknowledged alert, when the worker applies the acknowledgement, then NotificationsSent counts its push and no e-mail', async () => {
    const points = await emfOf(async (metrics) => {
      const { deps } = setup(metrics);
      await evaluateReadings([reading('r1', 70, 1)], { ...deps, metrics: noMetrics });
      const [stored] = (deps.alerts as FakeAlertStore).items.values();
      const id = stored?.alert.id ?? '';
      await deps.alerts.acknowledge(id, 'op@example.com', '2026-05-01T12:00:05.000Z');
      await runWork({ type: 'acknowledgeAlert', alertId: id }, deps);
    });

    expect(pointsOf(points, 'NotificationsSent', { channel: 'push' })).toEqual([
      expect.objectContaining({ values: [1] }),
    ]);
    expect(pointsOf(points, 'NotificationsSent', { channel: 'group' })).toEqual([]);
  });
});
