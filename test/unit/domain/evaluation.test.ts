import { describe, expect, it } from 'vitest';
import { DeliveryInProgressError } from '../../../domain/delivery.ts';
import { checkEpisodes, closeRule, evaluateReadings, runWork } from '../../../domain/evaluation.ts';
import type { DeviceSighting } from '../../../domain/device.ts';
import type { Labels } from '../../../domain/labels.ts';
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

/** The inventory's labels by device, the ids each loadMany asked for, and the sightings. */
class FakeDevices implements Pick<DeviceStore, 'loadMany' | 'recordSightings'> {
  readonly labels = new Map<string, Labels>();
  readonly calls: string[][] = [];
  readonly sightings: DeviceSighting[][] = [];
  async recordSightings(sightings: readonly DeviceSighting[]) {
    this.sightings.push([...sightings]);
  }
  async loadMany(ids: readonly string[]) {
    this.calls.push([...ids]);
    const found: Awaited<ReturnType<DeviceStore['loadMany']>> = new Map();
    for (const id of ids) {
      const labels = this.labels.get(id);
      const seen = '2026-05-01T00:00:00.000Z';
      const device = { id, name: null, labels, firstSeenAt: seen, lastSeenAt: seen, latest: [] };
      if (labels) found.set(id, { ...device, labels });
    }
    return found;
  }
}

/** How long a new alert stays its firing worker's alone until it is recorded, in these tests. */
const FIRING_WINDOW_MS = 60_000;

function setup(
  rules: Rule[] = [rule('hot')],
  episodes = new FakeEpisodeStore(),
  alerts = new FakeAlertStore(),
) {
  let clock = t0;
  const index = new RuleIndex(rules);
  const deps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: new FakeDevices(),
    episodes,
    alerts,
    notifier: new FakeChannel(),
    publisher: new FakeChannel(),
    now: () => clock,
    // Waits return at once: a test that needs another worker to act meanwhile hooks them.
    sleep: async (_ms: number) => {},
    firingWindowMs: FIRING_WINDOW_MS,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics: noMetrics,
  };
  return { deps, tick: (ms: number) => (clock += ms) };
}

/**
 * Two workers sharing one episode store and one alert store. The firing worker's first
 * `record` (or, with `hold: 'push'`, its first push) waits for `release()`: it has stored
 * the episode and not yet recorded (or pushed) the alert.
 */
function twoWorkers(rules: Rule[], hold: 'record' | 'push' = 'record') {
  const episodes = new FakeEpisodeStore();
  const alerts = new FakeAlertStore();
  const firing = setup(rules, episodes, alerts);
  const other = setup(rules, episodes, alerts);
  let release = () => {};
  const held = () => new Promise<void>((resolve) => (release = resolve));
  if (hold === 'record') {
    const record = alerts.record.bind(alerts);
    alerts.record = async (...args) => {
      alerts.record = record;
      await held();
      return record(...args);
    };
  } else {
    const { publisher } = firing.deps;
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (alert) => {
      publisher.publish = publish;
      await held();
      return publish(alert);
    };
  }
  return { episodes, alerts, firing, other, release: () => release() };
}

const statuses = (channel: FakeChannel) => channel.sent.map((a) => `${a.status}:${a.reason}`);

describe('evaluateReadings', () => {
  it('given a batch with breaching and normal readings out of order, then readings are stored and one episode fires and resolves in event-time order', async () => {
    const { deps } = setup();
    const failed = await evaluateReadings(
      [reading('c', 20, 3), reading('a', 70, 1), reading('b', 80, 2)],
      deps,
    );
    expect(failed.size).toBe(0);
    expect(deps.readings.items.size).toBe(3);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect(statuses(deps.publisher)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect([...deps.alerts.items.values()].map((e) => e.alert.status)).toEqual(['RESOLVED']);
  });

  it('given the same batch delivered twice, then nothing is recorded or sent twice', async () => {
    const { deps } = setup();
    const batch = [reading('a', 70, 1), reading('b', 20, 2)];
    await evaluateReadings(batch, deps);
    await evaluateReadings(batch, deps);
    expect(deps.alerts.items.size).toBe(1);
    expect(deps.notifier.sent).toHaveLength(2);
    expect(deps.publisher.sent).toHaveLength(2);
  });

  it('given the push fails, when the reading is redelivered, then the push is retried and the e-mail is not repeated', async () => {
    const { deps } = setup();
    deps.publisher.failuresLeft = 1;
    const failed = await evaluateReadings([reading('a', 70, 1)], deps);
    expect([...failed.keys()]).toEqual(['D1#a']);
    // The alert is recorded, its push claim given back: the retry need not wait for anything.
    expect((await evaluateReadings([reading('a', 70, 1)], deps)).size).toBe(0);
    expect(deps.notifier.sent).toHaveLength(1);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('given a new alert, then it is pushed before its record is written, and recorded and e-mailed too', async () => {
    const { deps } = setup();
    let pushedBeforeRecord = false;
    const record = deps.alerts.record.bind(deps.alerts);
    deps.alerts.record = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      pushedBeforeRecord = deps.publisher.sent.length === 1 && deps.alerts.items.size === 0;
      return record(...args);
    };
    expect((await evaluateReadings([reading('a', 70, 1)], deps)).size).toBe(0);
    expect(pushedBeforeRecord).toBe(true);
    expect([...deps.alerts.items.values()].map((e) => [...e.delivered].length)).toEqual([2]);
    expect(deps.notifier.sent).toHaveLength(1);
    expect((await deps.episodes.listForRule('hot'))[0]?.outbox).toEqual([]);
  });

  it('given the firing worker stored a new alert and failed before pushing or recording it, then others leave it alone until the firing window has passed, then deliver it once', async () => {
    const { deps, tick } = setup();
    deps.publisher.failuresLeft = 1;
    const record = deps.alerts.record.bind(deps.alerts);
    deps.alerts.record = async () => {
      throw new Error('DynamoDB unavailable');
    };
    await evaluateReadings([reading('a', 70, 1)], deps);
    deps.alerts.record = record;
    tick(FIRING_WINDOW_MS - 1);
    const early = await evaluateReadings([reading('a', 70, 1)], deps);
    expect(early.get('D1#a')).toBeInstanceOf(DeliveryInProgressError);
    expect(deps.alerts.items.size).toBe(0);
    tick(1);
    expect((await evaluateReadings([reading('a', 70, 1)], deps)).size).toBe(0);
    expect(statuses(deps.publisher)).toEqual(['FIRING:THRESHOLD']);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD']);
    expect((await deps.episodes.listForRule('hot'))[0]?.outbox).toEqual([]);
  });

  it.each(['record', 'push'] as const)(
    'given another worker meets a new alert its firing worker is still delivering (its %s held), then it leaves it to that worker and retries its readings',
    async (hold) => {
      const { episodes, firing, other, release } = twoWorkers(
        [rule('hot', { windowSeconds: 60 })],
        hold,
      );
      const first = evaluateReadings([reading('a', 70, 1)], firing.deps);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const failed = await evaluateReadings([reading('b', 71, 2)], other.deps);
      expect(failed.get('D1#b')).toBeInstanceOf(DeliveryInProgressError);
      release();
      expect((await first).size).toBe(0);
      // Redelivered once the firing worker is done: it finds the alert delivered and clears it.
      expect((await evaluateReadings([reading('b', 71, 2)], other.deps)).size).toBe(0);
      expect(firing.deps.publisher.sent.map((a) => a.status)).toEqual(['FIRING']);
      expect(firing.deps.notifier.sent).toHaveLength(1);
      expect(other.deps.publisher.sent).toHaveLength(0);
      expect(other.deps.notifier.sent).toHaveLength(0);
      expect((await episodes.listForRule('hot'))[0]?.outbox).toEqual([]);
    },
  );

  it('given another worker meets a new alert its firing worker records a moment later, then it waits for it and goes on without a retry', async () => {
    const { firing, other, release } = twoWorkers([rule('hot', { windowSeconds: 60 })]);
    const first = evaluateReadings([reading('a', 70, 1)], firing.deps);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // While the other worker waits, the firing worker finishes.
    other.deps.sleep = async () => {
      release();
      await first;
    };
    expect((await evaluateReadings([reading('b', 71, 2)], other.deps)).size).toBe(0);
    expect((await first).size).toBe(0);
    expect(firing.deps.publisher.sent).toHaveLength(1);
    expect(other.deps.publisher.sent).toHaveLength(0);
    expect(firing.deps.notifier.sent).toHaveLength(1);
    expect(other.deps.notifier.sent).toHaveLength(0);
  });

  it('given a resolution saved before the firing worker recorded the alert, then the resolution waits for the firing, and both go out once, in order', async () => {
    const { alerts, firing, other, release } = twoWorkers([rule('hot')]);
    const first = evaluateReadings([reading('a', 70, 1)], firing.deps);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const failed = await evaluateReadings([reading('b', 20, 2)], other.deps);
    expect(failed.get('D1#b')).toBeInstanceOf(DeliveryInProgressError);
    expect([...alerts.items.values()]).toEqual([]);
    release();
    expect((await first).size).toBe(0);
    expect((await evaluateReadings([reading('b', 20, 2)], other.deps)).size).toBe(0);
    const emails = [...firing.deps.notifier.sent, ...other.deps.notifier.sent];
    expect(emails.map((a) => a.status)).toEqual(['FIRING', 'RESOLVED']);
    const pushes = [...firing.deps.publisher.sent, ...other.deps.publisher.sent];
    expect(pushes.map((a) => a.status)).toEqual(['FIRING', 'RESOLVED']);
    expect([...alerts.items.values()].map((e) => e.alert.status)).toEqual(['RESOLVED']);
  });

  it('given an older resolution whose e-mail keeps failing, when a new alert fires, then the new alert is still pushed and e-mailed and the reading is retried for the old one', async () => {
    const { deps } = setup();
    await evaluateReadings([reading('a', 70, 1)], deps);
    // Resolution e-mails fail for now; their pushes go out.
    const notify = deps.notifier.notify.bind(deps.notifier);
    let resolutionsFail = true;
    deps.notifier.notify = async (notification) => {
      if (resolutionsFail && notification.alert.status === 'RESOLVED') {
        throw new Error('SNS refused it');
      }
      return notify(notification);
    };
    await evaluateReadings([reading('b', 20, 2)], deps);
    const failed = await evaluateReadings([reading('c', 80, 3)], deps);
    expect(failed.get('D1#c')).toBeInstanceOf(Error);
    expect(statuses(deps.publisher)).toEqual([
      'FIRING:THRESHOLD',
      'RESOLVED:THRESHOLD',
      'FIRING:THRESHOLD',
    ]);
    expect(deps.notifier.sent.map((a) => `${a.status}:${a.eventId}`)).toEqual([
      'FIRING:a',
      'FIRING:c',
    ]);
    resolutionsFail = false;
    expect((await evaluateReadings([reading('c', 80, 3)], deps)).size).toBe(0);
    expect(deps.notifier.sent.map((a) => `${a.status}:${a.eventId}`)).toEqual([
      'FIRING:a',
      'FIRING:c',
      'RESOLVED:a',
    ]);
  });

  it('given DELIVERY_LEASE_SECONDS, then a new alert claims its e-mail and push for that long, and no longer', async () => {
    const { deps } = setup();
    deps.deliveryLeaseMs = 15_000;
    const before = Date.now();
    await evaluateReadings([reading('a', 70, 1)], deps);
    const after = Date.now();
    const claims = [...(deps.alerts as FakeAlertStore).claims.values()];
    expect(claims).toHaveLength(2);
    for (const until of claims) {
      expect(until).toBeGreaterThanOrEqual(before + 15_000);
      expect(until).toBeLessThanOrEqual(after + 15_000);
    }
  });

  it('given several alerts other workers hold, then one batch waits for them about 1.3 s in all, not per alert', async () => {
    const alerts = new FakeAlertStore();
    const { deps } = setup([rule('hot')], new FakeEpisodeStore(), alerts);
    // Alerts on five devices, fired and then resolved, whose e-mails other workers hold.
    const devices = ['D1', 'D2', 'D3', 'D4', 'D5'];
    await evaluateReadings(
      devices.map((d, i) => reading(`f${i}`, 70, 1, d)),
      deps,
    );
    deps.alerts.claimDelivery = async () => false;
    const record = alerts.record.bind(alerts);
    deps.alerts.record = async (...args) => ({ ...(await record(...args)), claimed: new Set() });
    let slept = 0;
    deps.sleep = async (ms) => {
      slept += ms;
    };
    const failed = await evaluateReadings(
      devices.map((d, i) => reading(`r${i}`, 20, 2, d)),
      deps,
    );
    expect(failed.size).toBe(5);
    expect(slept).toBeGreaterThan(0);
    expect(slept).toBeLessThanOrEqual(1_260);
  });

  it('given a resolution whose e-mail another worker holds, then it stays in the outbox, the reading is retried, and the retry sends the e-mail and not the push again', async () => {
    const { deps } = setup();
    await evaluateReadings([reading('a', 70, 1)], deps);
    // Another worker holds the resolution's e-mail (and never finishes while this one waits).
    const claimDelivery = deps.alerts.claimDelivery.bind(deps.alerts);
    deps.alerts.claimDelivery = async (alertId, mark, leaseMs) =>
      mark.endsWith(':email') ? false : claimDelivery(alertId, mark, leaseMs);
    const record = deps.alerts.record.bind(deps.alerts);
    deps.alerts.record = async (...args) => ({ ...(await record(...args)), claimed: new Set() });
    const failed = await evaluateReadings([reading('b', 20, 2)], deps);
    expect(failed.get('D1#b')).toBeInstanceOf(DeliveryInProgressError);
    expect((await deps.episodes.listForRule('hot'))[0]?.outbox.map((n) => n.kind)).toEqual([
      'RESOLVED',
    ]);
    expect(statuses(deps.publisher)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    deps.alerts.claimDelivery = claimDelivery;
    expect((await evaluateReadings([reading('b', 20, 2)], deps)).size).toBe(0);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect(statuses(deps.publisher)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect((await deps.episodes.listForRule('hot'))[0]?.outbox).toEqual([]);
  });

  it('given two workers racing on one device with redelivered readings, then there is one FIRING and one RESOLVED', async () => {
    const episodes = new FakeEpisodeStore();
    const alerts = new FakeAlertStore();
    const one = setup([rule('hot')], episodes, alerts);
    const two = setup([rule('hot')], episodes, alerts);
    // Worker two stores its step while worker one is between load and save.
    episodes.beforeSave = async () => {
      await evaluateReadings([reading('a', 70, 1), reading('b', 75, 2)], two.deps);
    };
    await evaluateReadings([reading('a', 70, 1), reading('c', 20, 3)], one.deps);
    await evaluateReadings([reading('b', 75, 2), reading('c', 20, 3)], two.deps);
    const sent = [...one.deps.notifier.sent, ...two.deps.notifier.sent].map((a) => a.status);
    expect(sent.sort()).toEqual(['FIRING', 'RESOLVED']);
    expect([...alerts.items.values()].map((e) => e.alert.status)).toEqual(['RESOLVED']);
  });

  it('given a device that reuses a reading id at a later time, then that reading fires a new alert, stored, pushed and e-mailed', async () => {
    const { deps } = setup();
    await evaluateReadings([reading('a', 70, 1), reading('b', 20, 2)], deps);
    // The device restarted and counts its reading ids from the start again.
    const failed = await evaluateReadings([reading('a', 75, 3)], deps);
    expect(failed.size).toBe(0);
    expect(statuses(deps.notifier)).toEqual([
      'FIRING:THRESHOLD',
      'RESOLVED:THRESHOLD',
      'FIRING:THRESHOLD',
    ]);
    expect(statuses(deps.publisher)).toHaveLength(3);
    const stored = [...deps.alerts.items.values()].map((e) => `${e.alert.status}:${e.alert.value}`);
    expect(stored.sort()).toEqual(['FIRING:75', 'RESOLVED:70']);
  });

  it('given rules for several devices, then each device has its own episode', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings(
      [reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2'), reading('c', 20, 1, 'D3')],
      deps,
    );
    expect(deps.notifier.sent.map((a) => a.deviceId).sort()).toEqual(['D1', 'D2']);
  });
});

describe('checkEpisodes and closeRule', () => {
  it('given a silent device and a firing alert with repeats, when the check runs, then NO_DATA fires and the alert repeats', async () => {
    const rules = [
      rule('quiet', { noDataSeconds: 60, repeatIntervalSeconds: 120, metric: 'temperature' }),
    ];
    const { deps, tick } = setup(rules);
    await evaluateReadings([reading('a', 70, 0)], deps);
    tick(130_000);
    await checkEpisodes(rules, deps);
    expect(statuses(deps.notifier)).toEqual([
      'FIRING:THRESHOLD',
      'FIRING:NO_DATA',
      'FIRING:THRESHOLD',
    ]);
  });

  it('given twenty devices gone silent together, when the check runs, then it moves several of their episodes at once, never more than eight, and each NO_DATA alert goes out once', async () => {
    const rules = [rule('quiet', { noDataSeconds: 60 })];
    const { deps, tick } = setup(rules);
    const devices = Array.from({ length: 20 }, (_, i) => `D${i}`);
    await evaluateReadings(
      devices.map((device) => reading(`r-${device}`, 20, 0, device)),
      deps,
    );
    tick(70_000);
    let inFlight = 0;
    let most = 0;
    const publish = deps.publisher.publish.bind(deps.publisher);
    deps.publisher.publish = async (alert) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return publish(alert);
    };
    const { moved, errors } = await checkEpisodes(rules, deps);
    expect({ moved, errors }).toEqual({ moved: 20, errors: [] });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
    expect(deps.publisher.sent.map((a) => a.deviceId).sort()).toEqual([...devices].sort());
    expect(deps.notifier.sent).toHaveLength(20);
  });

  it('given one episode that cannot be moved, when the check runs, then the others are still checked and its error is returned', async () => {
    const rules = [rule('quiet', { noDataSeconds: 60 })];
    const { deps, tick } = setup(rules);
    await evaluateReadings([reading('a', 20, 0, 'D1'), reading('b', 20, 0, 'D2')], deps);
    tick(70_000);
    const save = deps.episodes.save.bind(deps.episodes);
    deps.episodes.save = async (state, version) => {
      if (state.deviceId === 'D1') throw new Error('D1 unavailable');
      return save(state, version);
    };
    const { moved, errors } = await checkEpisodes(rules, deps);
    expect(moved).toBe(1);
    expect(errors.map((error) => (error as Error).message)).toEqual(['D1 unavailable']);
    expect(deps.notifier.sent.map((a) => `${a.deviceId}:${a.reason}`)).toEqual(['D2:NO_DATA']);
  });

  it('given the scheduled check meets an alert whose e-mail another worker holds, then it does not wait: it leaves it to the next check', async () => {
    const rules = [rule('hot', { repeatIntervalSeconds: 60 })];
    const { deps, tick } = setup(rules);
    await evaluateReadings([reading('a', 70, 0)], deps);
    tick(61_000);
    deps.alerts.claimDelivery = async () => false;
    let slept = 0;
    deps.sleep = async (ms) => {
      slept += ms;
    };
    const { errors } = await checkEpisodes(rules, deps);
    expect(errors.map((error) => (error as Error).name)).toEqual(['DeliveryInProgressError']);
    expect(slept).toBe(0);
  });

  it('given a deleted rule whose first episode cannot be moved, then the others still resolve and the call fails, to be retried', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 70, 0, 'D1'), reading('b', 70, 0, 'D2')], deps);
    const save = deps.episodes.save.bind(deps.episodes);
    deps.episodes.save = async (state, version) => {
      if (state.deviceId === 'D1') throw new Error('D1 unavailable');
      return save(state, version);
    };
    await expect(closeRule('hot', deps)).rejects.toThrow("1 of rule hot's episodes not closed");
    expect(statuses(deps.notifier).filter((s) => s.startsWith('RESOLVED'))).toHaveLength(1);
    deps.episodes.save = save;
    await closeRule('hot', deps);
    expect(statuses(deps.notifier).filter((s) => s.startsWith('RESOLVED'))).toHaveLength(2);
  });

  it('given a silent device whose NO_DATA alert was resolved by disabling the rule, when the rule is enabled again and the device is still silent, then a new NO_DATA alert fires and is e-mailed', async () => {
    const rules = [rule('quiet', { noDataSeconds: 60 })];
    const { deps, tick } = setup(rules);
    await evaluateReadings([reading('a', 20, 0)], deps);
    tick(70_000);
    await checkEpisodes(rules, deps);
    await closeRule('quiet', deps);
    tick(70_000);
    await checkEpisodes(rules, deps);
    expect(statuses(deps.notifier)).toEqual([
      'FIRING:NO_DATA',
      'RESOLVED:NO_DATA',
      'FIRING:NO_DATA',
    ]);
    const stored = [...deps.alerts.items.values()].map((e) => e.alert.status).sort();
    expect(stored).toEqual(['FIRING', 'RESOLVED']);
  });

  it('given a deleted rule with an open alert, then closing resolves it once', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 70, 0)], deps);
    await closeRule('hot', deps);
    await closeRule('hot', deps);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
  });
});

describe('selector rules and device labels', () => {
  const berlin = [{ key: 'site', operator: 'EQ' as const, values: ['berlin'] }];

  it("given a selector rule, then a batch reads its devices' labels once and only the labelled device fires, its alert carrying the labels", async () => {
    // Prepare
    const { deps } = setup([rule('berlin-hot', { selector: berlin })]);
    deps.devices.labels.set('D1', { site: 'berlin', model: 'b200' });
    deps.devices.labels.set('D2', { site: 'paris' });

    // Act: D1 twice, D2, and D3 seen for the first time (not in the inventory).
    await evaluateReadings(
      [reading('a', 70, 1, 'D1'), reading('b', 80, 1, 'D2'), reading('c', 90, 2, 'D1')].concat([
        reading('d', 95, 1, 'D3'),
      ]),
      deps,
    );

    // Assess
    expect(deps.devices.calls).toEqual([['D1', 'D2', 'D3']]);
    expect(deps.notifier.sent.map((a) => a.deviceId)).toEqual(['D1']);
    expect(deps.notifier.sent[0]?.labels).toEqual([
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ]);
    expect(deps.publisher.sent[0]?.labels).toEqual(deps.notifier.sent[0]?.labels);
    expect([...deps.alerts.items.values()][0]?.alert.labels).toEqual(deps.notifier.sent[0]?.labels);
  });

  it('given a rule for every device, then an unknown device fires with no labels', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 70, 1, 'NEW')], deps);
    expect(deps.notifier.sent.map((a) => [a.deviceId, a.labels])).toEqual([['NEW', []]]);
  });

  it('given a device relabelled between batches, then the next batch applies the selector rules of its new labels', async () => {
    const { deps } = setup([rule('berlin-hot', { selector: berlin })]);
    deps.devices.labels.set('D1', { site: 'paris' });
    await evaluateReadings([reading('a', 70, 1)], deps);
    expect(deps.notifier.sent).toHaveLength(0);
    deps.devices.labels.set('D1', { site: 'berlin' });
    await evaluateReadings([reading('b', 70, 2)], deps);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD']);
  });

  it('given a device whose labels no longer match, when deviceLabelsChanged is run, then its selector alert resolves saying why and its other alerts stay open', async () => {
    // Prepare: four rules fire for D1 (two selectors, every device, its own), three for D2.
    const rules = [
      rule('berlin-hot', { selector: berlin }),
      rule('hot'),
      rule('d1-hot', { deviceId: 'D1' }),
      rule('has-site', { selector: [{ key: 'site', operator: 'EXISTS' }] }),
    ];
    const { deps, tick } = setup(rules);
    deps.devices.labels.set('D1', { site: 'berlin' });
    deps.devices.labels.set('D2', { site: 'berlin' });
    await evaluateReadings([reading('a', 70, 1, 'D1'), reading('b', 70, 1, 'D2')], deps);
    expect(deps.notifier.sent).toHaveLength(7);
    tick(1000);

    // Act
    deps.devices.labels.set('D1', { site: 'paris' });
    await runWork({ type: 'deviceLabelsChanged', deviceId: 'D1' }, deps);

    // Assess
    const resolved = deps.notifier.sent.filter((a) => a.status === 'RESOLVED');
    expect(resolved.map((a) => [a.ruleId, a.deviceId])).toEqual([['berlin-hot', 'D1']]);
    expect(resolved[0]?.resolution).toBe("the device no longer matches the rule's selector");
    expect(resolved[0]?.labels).toEqual([{ key: 'site', value: 'berlin' }]);
    expect(deps.publisher.sent.filter((a) => a.status === 'RESOLVED')).toHaveLength(1);
    const firing = [...deps.alerts.items.values()]
      .filter((e) => e.alert.status === 'FIRING')
      .map((e) => `${e.alert.ruleId}/${e.alert.deviceId}`)
      .sort();
    expect(firing).toEqual([
      'berlin-hot/D2',
      'd1-hot/D1',
      'has-site/D1',
      'has-site/D2',
      'hot/D1',
      'hot/D2',
    ]);
  });

  it('given a device removed from the inventory, when deviceLabelsChanged is run, then it has no labels and its alerts of selectors needing one resolve', async () => {
    const { deps } = setup([
      rule('berlin-hot', { selector: berlin }),
      rule('not-paris', { selector: [{ key: 'site', operator: 'NEQ', values: ['paris'] }] }),
    ]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    await evaluateReadings([reading('a', 70, 1)], deps);
    deps.devices.labels.delete('D1');
    await runWork({ type: 'deviceLabelsChanged', deviceId: 'D1' }, deps);
    expect(deps.notifier.sent.filter((a) => a.status === 'RESOLVED').map((a) => a.ruleId)).toEqual([
      'berlin-hot',
    ]);
  });

  it('given labels that still match, when deviceLabelsChanged is run, then nothing is resolved or sent', async () => {
    const { deps } = setup([rule('berlin-hot', { selector: berlin })]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    await evaluateReadings([reading('a', 70, 1)], deps);
    deps.devices.labels.set('D1', { site: 'berlin', model: 'b300' });
    await runWork({ type: 'deviceLabelsChanged', deviceId: 'D1' }, deps);
    expect(statuses(deps.notifier)).toEqual(['FIRING:THRESHOLD']);
  });

  it('given a rule closed, then its alerts resolve saying the rule was disabled or deleted', async () => {
    const { deps } = setup([rule('hot')]);
    await evaluateReadings([reading('a', 70, 1)], deps);
    await closeRule('hot', deps);
    expect(deps.notifier.sent.at(-1)).toMatchObject({
      status: 'RESOLVED',
      resolution: 'the rule was disabled or deleted',
    });
  });

  it('given a device falling silent, then its NO_DATA alert carries its labels, read only for the silent device', async () => {
    const quiet = rule('quiet', { noDataSeconds: 60 });
    const { deps, tick } = setup([quiet]);
    deps.devices.labels.set('D1', { site: 'berlin' });
    await evaluateReadings([reading('a', 20, 0, 'D1')], deps);
    deps.devices.calls.length = 0;
    tick(10_000);
    await checkEpisodes([quiet], deps);
    expect(deps.devices.calls).toEqual([]);
    tick(120_000);
    await checkEpisodes([quiet], deps);
    expect(deps.devices.calls).toEqual([['D1']]);
    expect(deps.notifier.sent.map((a) => [a.reason, a.labels])).toEqual([
      ['NO_DATA', [{ key: 'site', value: 'berlin' }]],
    ]);
  });
});

describe('runWork: a notification group due', () => {
  it('given a flushGroup message, then the group of its key is flushed; where no groups are kept, the message fails', async () => {
    const { deps } = setup();
    const flushed: string[] = [];
    await runWork(
      { type: 'flushGroup', groupKey: 'hot#ab' },
      { ...deps, flushGroup: async (key: string) => flushed.push(key) },
    );
    expect(flushed).toEqual(['hot#ab']);
    await expect(runWork({ type: 'flushGroup', groupKey: 'hot#ab' }, deps)).rejects.toThrow(
      /No notification groups/,
    );
  });
});
