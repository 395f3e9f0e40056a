import { describe, expect, it } from 'vitest';
import { LEFT_RULE_TARGET } from '../../../domain/alert.ts';
import { checkEpisodes, evaluateReadings, runWork } from '../../../domain/evaluation.ts';
import type { LabelMatcher, LabelSelector, Labels } from '../../../domain/labels.ts';
import { noMetrics } from '../../../domain/metrics.ts';
import type { DeviceStore } from '../../../domain/ports.ts';
import type { Rule } from '../../../domain/rule.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeEpisodeStore,
  FakeReadingStore,
  FakeMutes,
  muteDeps,
} from '../../support/fakes.ts';
import { reading, rule, t0 } from '../../support/builders.ts';

// A rule's selector changed: the worker resolves the rule's open alerts of the devices the
// new selector does not select, by the selector the message carries.

/** The inventory's labels by device, and the ids each loadMany asked for. */
class FakeDevices implements Pick<DeviceStore, 'loadMany' | 'recordSightings'> {
  readonly labels = new Map<string, Labels>();
  readonly calls: string[][] = [];
  async recordSightings() {}
  async loadMany(ids: readonly string[]) {
    this.calls.push([...ids]);
    const found: Awaited<ReturnType<DeviceStore['loadMany']>> = new Map();
    const seen = '2026-05-01T00:00:00.000Z';
    for (const id of ids) {
      const labels = this.labels.get(id);
      if (labels) {
        found.set(id, { id, name: null, labels, firstSeenAt: seen, lastSeenAt: seen, latest: [] });
      }
    }
    return found;
  }
}

function setup(rules: Rule[]) {
  let clock = t0;
  const index = new RuleIndex(rules);
  const deps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: new FakeDevices(),
    episodes: new FakeEpisodeStore(),
    alerts: new FakeAlertStore(),
    notifier: new FakeChannel(),
    publisher: new FakeChannel(),
    now: () => clock,
    sleep: async (_ms: number) => {},
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics: noMetrics,
  };
  return { deps, tick: (ms: number) => (clock += ms) };
}

const site = (...values: string[]): LabelSelector & LabelMatcher[] => [
  { key: 'site', operator: values.length === 1 ? 'EQ' : 'IN', values },
];

const firingOf = (deps: ReturnType<typeof setup>['deps']) =>
  [...deps.alerts.items.values()]
    .filter((e) => e.alert.status === 'FIRING')
    .map((e) => `${e.alert.ruleId}/${e.alert.deviceId}`)
    .sort();

describe('ruleTargetChanged: a rule whose selector changed', () => {
  it('given a selector narrowed from Berlin or Paris to Berlin, then the Paris alert resolves saying why, the Berlin one stays open, and only devices with an open alert are read', async () => {
    // Prepare: D1 in Berlin and D2 in Paris fire; D3 in Paris is normal.
    const { deps, tick } = setup([rule('hot', { selector: site('berlin', 'paris') })]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    deps.devices.labels.set('D2', { site: 'paris' });
    deps.devices.labels.set('D3', { site: 'paris' });
    await evaluateReadings(
      [reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2'), reading('c', 20, 1, 'D3')],
      deps,
    );
    expect(firingOf(deps)).toEqual(['hot/D1', 'hot/D2']);
    deps.devices.calls.length = 0;
    tick(1000);

    // Act: the worker's rule index still has the old selector.
    await runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps);

    // Assess
    const resolved = deps.notifier.sent.filter((a) => a.status === 'RESOLVED');
    expect(resolved.map((a) => [a.deviceId, a.resolution])).toEqual([
      ['D2', "the rule's selector no longer selects the device"],
    ]);
    expect(resolved[0]?.resolution).toBe(LEFT_RULE_TARGET);
    expect(resolved[0]?.labels).toEqual([{ key: 'site', value: 'paris' }]);
    expect(deps.publisher.sent.filter((a) => a.status === 'RESOLVED')).toHaveLength(1);
    expect(firingOf(deps)).toEqual(['hot/D1']);
    expect(deps.devices.calls).toEqual([['D1', 'D2']]);
  });

  it("given an every-device rule that takes a selector, then the alerts of unlabelled devices and of devices it does not select resolve, and other rules' alerts stay open", async () => {
    const { deps } = setup([rule('hot'), rule('other')]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    deps.devices.labels.set('D2', { site: 'paris' });
    await evaluateReadings(
      [reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2'), reading('c', 70, 1, 'NEW')],
      deps,
    );

    await runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps);

    expect(firingOf(deps)).toEqual(['hot/D1', 'other/D1', 'other/D2', 'other/NEW']);
  });

  it('given a NO_DATA alert of a device the new selector does not select, then it resolves too', async () => {
    const quiet = rule('quiet', { noDataSeconds: 60 });
    const { deps, tick } = setup([quiet]);
    deps.devices.labels.set('D1', { site: 'paris' });
    await evaluateReadings([reading('a', 20, 0, 'D1')], deps);
    tick(120_000);
    await checkEpisodes([quiet], deps);
    expect(deps.notifier.sent.map((a) => `${a.status}:${a.reason}`)).toEqual(['FIRING:NO_DATA']);

    await runWork({ type: 'ruleTargetChanged', ruleId: 'quiet', selector: site('berlin') }, deps);

    expect(deps.notifier.sent.map((a) => `${a.status}:${a.reason}`)).toEqual([
      'FIRING:NO_DATA',
      'RESOLVED:NO_DATA',
    ]);
    expect(deps.notifier.sent[1]?.resolution).toBe(LEFT_RULE_TARGET);
  });

  it('given the message run twice, or a selector every open device still meets, then nothing more is resolved or sent', async () => {
    const { deps } = setup([rule('hot', { selector: site('berlin', 'paris') })]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    deps.devices.labels.set('D2', { site: 'paris' });
    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);

    await runWork(
      { type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin', 'paris', 'rome') },
      deps,
    );
    expect(deps.notifier.sent).toHaveLength(2);
    await runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps);
    await runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps);

    expect(deps.notifier.sent.map((a) => `${a.status}:${a.deviceId}`)).toEqual([
      'FIRING:D1',
      'FIRING:D2',
      'RESOLVED:D2',
    ]);
  });

  it('given a rule without open alerts, then no device is read', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 20, 1, 'D1')], deps);
    deps.devices.calls.length = 0;
    await runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps);
    expect(deps.devices.calls).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('given one episode that cannot be moved, then the others still resolve and the call fails, to be retried', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);
    const save = deps.episodes.save.bind(deps.episodes);
    deps.episodes.save = async (state, version) => {
      if (state.deviceId === 'D1') throw new Error('throttled');
      return save(state, version);
    };

    await expect(
      runWork({ type: 'ruleTargetChanged', ruleId: 'hot', selector: site('berlin') }, deps),
    ).rejects.toThrow("1 of rule hot's episodes not resolved after its selector changed");

    expect(firingOf(deps)).toEqual(['hot/D1']);
  });
});
