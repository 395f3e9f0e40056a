import { describe, expect, it } from 'vitest';
import { describeAlert } from '../../../domain/alert.ts';
import { evaluateReadings, runWork, type EvaluationDeps } from '../../../domain/evaluation.ts';
import type { Metrics } from '../../../domain/metrics.ts';
import type { Rule } from '../../../domain/rule.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import { reading, rule, t0 } from '../../support/builders.ts';
import { emfOf, sumOf } from '../../support/emf.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeEpisodeStore,
  FakeMutes,
  FakeReadingStore,
  muteDeps,
} from '../../support/fakes.ts';

/** Evaluation with in-memory ports: what was e-mailed (`notifier`) and pushed (`publisher`). */
function setup(metrics: Metrics, rules: Rule[]) {
  const index = new RuleIndex(rules);
  const notifier = new FakeChannel();
  const publisher = new FakeChannel();
  const alerts = new FakeAlertStore();
  const deps: EvaluationDeps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: { loadMany: async () => new Map(), recordSightings: async () => undefined },
    episodes: new FakeEpisodeStore(),
    alerts,
    notifier,
    publisher,
    now: () => t0 + 60_000,
    sleep: async () => undefined,
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics,
  };
  const only = () => [...alerts.items.values()][0]?.alert;
  return { deps, notifier, publisher, alerts, only };
}

describe('alert states through the worker', () => {
  it('given a latched rule, when an alert fires, clears, and is acknowledged, then it is LATCHED, then RESOLVED in the name of who acknowledged it, fired and resolved counted once each', async () => {
    let run: ReturnType<typeof setup> | undefined;
    const points = await emfOf(async (metrics) => {
      run = setup(metrics, [rule('hot', { latch: true })]);
      const { deps, alerts, only } = run;
      // Act: breach, clear, acknowledge, apply the acknowledgement (twice: a redelivery)
      await evaluateReadings([reading('r1', 70, 1), reading('r2', 50, 2)], deps);
      expect(only()?.status).toBe('LATCHED');
      await alerts.acknowledge(only()?.id ?? '', 'op@example.com', '2026-05-01T12:00:05.000Z');
      await runWork({ type: 'acknowledgeAlert', alertId: only()?.id ?? '' }, deps);
      await runWork({ type: 'acknowledgeAlert', alertId: only()?.id ?? '' }, deps);
    });
    const { notifier, only } = run as ReturnType<typeof setup>;

    // Assess
    expect(only()).toMatchObject({
      status: 'RESOLVED',
      resolvedAt: '2026-05-01T12:00:05.000Z',
      resolution: 'acknowledged by op@example.com',
    });
    expect(notifier.sent.map((alert) => alert.status)).toEqual(['FIRING', 'LATCHED', 'RESOLVED']);
    const email = describeAlert(notifier.sent.at(-1) as never);
    expect(email.body).toContain('Why:        acknowledged by op@example.com');
    expect(describeAlert(notifier.sent[1] as never).subject).toMatch(/^\[LATCHED\] D1:/);
    expect(sumOf(points, 'AlertsFired', { severity: 'WARNING' })).toBe(1);
    expect(sumOf(points, 'AlertsResolved', { severity: 'WARNING' })).toBe(1);
  });

  it('given a firing alert, when it is acknowledged and then clears, then it is ACKNOWLEDGED (pushed, not e-mailed), then RESOLVED', async () => {
    const { deps, alerts, notifier, publisher, only } = setup(await noopMetrics(), [
      rule('hot', { latch: true }),
    ]);
    await evaluateReadings([reading('r1', 70, 1)], deps);
    await alerts.acknowledge(only()?.id ?? '', 'op@example.com', '2026-05-01T12:00:03.000Z');

    await runWork({ type: 'acknowledgeAlert', alertId: only()?.id ?? '' }, deps);
    expect(only()).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'op@example.com' });
    expect(publisher.sent.at(-1)?.status).toBe('ACKNOWLEDGED');
    expect(notifier.sent.map((alert) => alert.status)).toEqual(['FIRING']);

    await evaluateReadings([reading('r2', 50, 4)], deps);
    expect(only()?.status).toBe('RESOLVED');
    expect(only()?.resolution).toBeUndefined();
  });

  it('given an alert that resolved before its acknowledgement was applied, then the acknowledgement is only pushed, as stored', async () => {
    const { deps, alerts, publisher, only } = setup(await noopMetrics(), [rule('hot')]);
    await evaluateReadings([reading('r1', 70, 1), reading('r2', 50, 2)], deps);
    await alerts.acknowledge(only()?.id ?? '', 'op@example.com', '2026-05-01T12:00:03.000Z');

    await runWork({ type: 'acknowledgeAlert', alertId: only()?.id ?? '' }, deps);

    expect(publisher.sent.at(-1)).toMatchObject({
      status: 'RESOLVED',
      acknowledgedBy: 'op@example.com',
    });
  });
});

describe('reset through the worker', () => {
  it('given a firing alert, when it is reset, then it resolves in the name of who reset it, e-mailed, and the next breaching reading fires a new alert', async () => {
    const { deps, notifier, alerts } = setup(await noopMetrics(), [rule('hot')]);
    await evaluateReadings([reading('r1', 70, 1)], deps);
    const [fired] = [...alerts.items.values()].map((entry) => entry.alert);
    const at = '2026-05-01T12:00:05.000Z';

    await runWork({ type: 'resetAlert', alertId: fired?.id ?? '', by: 'op', at }, deps);
    await evaluateReadings([reading('r2', 71, 6)], deps);

    expect(await alerts.get(fired?.id ?? '')).toMatchObject({
      status: 'RESOLVED',
      resolvedAt: at,
      resolution: 'reset by op',
    });
    expect(notifier.sent.map((alert) => `${alert.status}:${alert.id === fired?.id}`)).toEqual([
      'FIRING:true',
      'RESOLVED:true',
      'FIRING:false',
    ]);
  });
});

async function noopMetrics(): Promise<Metrics> {
  return { add: () => undefined } as unknown as Metrics;
}
