import { describe, expect, it } from 'vitest';
import { type Alert, describeAlert, thresholdAlert } from '../../../domain/alert.ts';
import type { Notification, NotificationKind } from '../../../domain/episode.ts';
import {
  addToGroup,
  type FlushDeps,
  flushGroup,
  flushOverdueGroups,
  type GroupSettings,
  groupOf,
} from '../../../domain/notification-groups.ts';
import type { Metrics } from '../../../domain/metrics.ts';
import {
  FakeGroupSender,
  FakeNotificationGroupStore,
  FakeWorkQueue,
} from '../../support/fake-notification-groups.ts';
import { reading, rule, t0 } from '../../support/builders.ts';

const defaults = { waitSeconds: 30, intervalSeconds: 300 };

function alertOf(deviceId: string, labels: Record<string, string> = {}): Alert {
  return thresholdAlert(
    rule('hot', { severity: 'CRITICAL', name: 'Boiler too hot' }),
    reading(`r-${deviceId}`, 75, 0, deviceId),
    75,
    new Date(t0).toISOString(),
    labels,
  );
}

function notification(alert: Alert, kind: NotificationKind = 'FIRING'): Notification {
  const status = kind === 'RESOLVED' ? ('RESOLVED' as const) : alert.status;
  return {
    key: `${kind}@${alert.firedAt}`,
    kind,
    alert: {
      ...alert,
      status,
      resolvedAt: status === 'RESOLVED' ? new Date(t0 + 5000).toISOString() : null,
    },
  };
}

/** DELIVERY_LEASE_SECONDS: a flush's lease, and how long past due a group is overdue. */
const LEASE_MS = 60_000;

/** A group's world: its store, queue and topic, and a clock the test moves. */
function world(leaseMs = LEASE_MS) {
  const clock = { now: t0 };
  const counted: { name: string; value: number; dimension?: string }[] = [];
  const metrics: Metrics = {
    add: (name, value, dimension) =>
      counted.push({ name, value, ...(dimension ? { dimension } : {}) }),
  };
  const deps: FlushDeps = {
    store: new FakeNotificationGroupStore(),
    queue: new FakeWorkQueue(),
    sender: new FakeGroupSender(),
    now: () => clock.now,
    metrics,
    leaseMs,
  };
  const store = deps.store as FakeNotificationGroupStore;
  const queue = deps.queue as FakeWorkQueue;
  const sender = deps.sender as FakeGroupSender;
  const group = (alert: Alert): GroupSettings => groupOf(alert, undefined, defaults);
  const add = (n: Notification, settings = group(n.alert)) => addToGroup(n, settings, deps);
  /** Runs the flush messages due by now, as the worker would. */
  const runDue = async () => {
    const due = queue.sent.splice(0);
    for (const { message, delaySeconds } of due) {
      if (message.type !== 'flushGroup') continue;
      await flushGroup(message.groupKey, deps);
      void delaySeconds;
    }
  };
  return { clock, deps, store, queue, sender, counted, add, group, runDue };
}

describe('the group of a notification', () => {
  it('given a rule without groupBy, or a deleted rule, then the group is the rule, with the defaults', () => {
    const alert = alertOf('D1', { site: 'berlin' });
    expect(groupOf(alert, undefined, defaults)).toEqual({
      key: 'hot',
      ruleId: 'hot',
      labels: [],
      waitSeconds: 30,
      intervalSeconds: 300,
    });
    const plain = { groupBy: null, groupWaitSeconds: 5, groupIntervalSeconds: null };
    expect(groupOf(alert, plain, defaults)).toMatchObject({ key: 'hot', waitSeconds: 5 });
  });

  it('given groupBy site, then devices of one site share a group, other sites and unlabelled devices have their own', () => {
    const bySite = { groupBy: ['site'], groupWaitSeconds: null, groupIntervalSeconds: 60 };
    const berlin1 = groupOf(alertOf('D1', { site: 'berlin', room: '1' }), bySite, defaults);
    const berlin2 = groupOf(alertOf('D2', { site: 'berlin', room: '2' }), bySite, defaults);
    const paris = groupOf(alertOf('D3', { site: 'paris' }), bySite, defaults);
    const nowhere = groupOf(alertOf('D4'), bySite, defaults);
    expect(berlin1.key).toBe(berlin2.key);
    expect(berlin1.key).toMatch(/^hot#[0-9a-f]{32}$/);
    expect(new Set([berlin1.key, paris.key, nowhere.key]).size).toBe(3);
    expect(berlin1.labels).toEqual([{ key: 'site', value: 'berlin' }]);
    expect(nowhere.labels).toEqual([{ key: 'site', value: '' }]);
    expect(berlin1).toMatchObject({ waitSeconds: 30, intervalSeconds: 60 });
  });
});

describe('adding to a group and flushing it', () => {
  it('given the first notification into an empty group, then one flush message is scheduled for the group wait, and later ones schedule none', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 2000;
    await w.add(notification(alertOf('D2')));
    expect(w.queue.sent).toEqual([
      { message: { type: 'flushGroup', groupKey: 'hot' }, delaySeconds: 30 },
    ]);
  });

  it('given three alerts waiting, when the flush runs at the due time, then one message lists all three, and nothing is left to send', async () => {
    const w = world();
    for (const device of ['D1', 'D2', 'D3']) await w.add(notification(alertOf(device)));
    w.clock.now += 30_000;
    await w.runDue();
    expect(w.sender.sent).toHaveLength(1);
    const [message] = w.sender.sent;
    expect(message?.subject).toBe('[CRITICAL] Boiler too hot: 3 alerts, 3 fired');
    for (const device of ['D1', 'D2', 'D3'])
      expect(message?.body).toContain(`  ${device}  value 75`);
    expect(message).toMatchObject({ ruleId: 'hot', severity: 'CRITICAL', kinds: ['FIRING'] });
    expect(message?.deviceId).toBeNull();
    expect(await w.store.pending('hot', 100)).toEqual([]);
    expect(w.counted).toContainEqual({ name: 'NotificationsSent', value: 1, dimension: 'sns' });
    // A second flush message (a duplicate) finds nothing due.
    expect(await flushGroup('hot', w.deps)).toBe(0);
  });

  it('given a flush message arriving before the due time, then it sends nothing and schedules the group again for what is left', async () => {
    const w = world();
    const slow = { ...w.group(alertOf('D1')), waitSeconds: 1200 };
    await w.add(notification(alertOf('D1')), slow);
    expect(w.queue.sent[0]?.delaySeconds).toBe(900);
    w.queue.sent.length = 0;
    w.clock.now += 900_000;
    expect(await flushGroup('hot', w.deps)).toBe(0);
    expect(w.queue.sent).toEqual([
      { message: { type: 'flushGroup', groupKey: 'hot' }, delaySeconds: 300 },
    ]);
    w.clock.now += 300_000;
    expect(await flushGroup('hot', w.deps)).toBe(1);
  });

  it('given a group that just sent, when more arrive, then the next message waits for the interval, not just the group wait', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    await w.runDue();
    w.clock.now += 10_000;
    await w.add(notification(alertOf('D2')));
    // Sent at t0 + 30 s: the next not before t0 + 330 s, 290 s from now.
    expect(w.queue.sent).toEqual([
      { message: { type: 'flushGroup', groupKey: 'hot' }, delaySeconds: 290 },
    ]);
    w.clock.now += 290_000;
    await w.runDue();
    expect(w.sender.sent.map((m) => m.deviceId)).toEqual(['D1', 'D2']);
  });

  it('given notifications arriving while a flush sends, then they go out in the next message, at the interval', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    const send = w.sender.send.bind(w.sender);
    w.sender.send = async (message) => {
      await send(message);
      w.sender.send = send;
      await w.add(notification(alertOf('D2')));
    };
    await w.runDue();
    expect(w.sender.sent.map((m) => m.deviceId)).toEqual(['D1']);
    expect(w.queue.sent).toEqual([
      { message: { type: 'flushGroup', groupKey: 'hot' }, delaySeconds: 300 },
    ]);
    w.clock.now += 300_000;
    await w.runDue();
    expect(w.sender.sent.map((m) => m.deviceId)).toEqual(['D1', 'D2']);
  });

  it('given the same notification added again (a retry), then it is listed once, and a retry after it was sent adds nothing', async () => {
    const w = world();
    const fired = notification(alertOf('D1'));
    await w.add(fired);
    await w.add(fired);
    w.clock.now += 30_000;
    await w.runDue();
    expect(w.sender.sent).toHaveLength(1);
    await w.add(fired);
    expect(w.queue.sent).toEqual([]);
    expect(await w.store.pending('hot', 100)).toEqual([]);
  });

  it('given an alert that fired and resolved while the group waited, then its one line says both, and the e-mail is the alert’s own', async () => {
    const w = world();
    const alert = alertOf('D1');
    await w.add(notification(alert));
    await w.add(notification(alert, 'RESOLVED'));
    w.clock.now += 30_000;
    await w.runDue();
    const [message] = w.sender.sent;
    const resolved = {
      ...alert,
      status: 'RESOLVED' as const,
      resolvedAt: new Date(t0 + 5000).toISOString(),
    };
    expect(message?.subject).toBe(describeAlert(resolved).subject);
    expect(message?.body).toBe(`Fired, then resolved.\n\n${describeAlert(resolved).body}`);
    expect(message?.kinds).toEqual(['FIRING', 'RESOLVED']);
  });
});

describe('crashes and failures', () => {
  it('given a crash between the two writes of an add, then the retry completes it and the group lists the alert once', async () => {
    const w = world();
    const fired = notification(alertOf('D1'));
    w.store.failNext = 'addEntry:pending';
    await expect(w.add(fired)).rejects.toThrow(/crash/);
    await w.add(fired);
    w.clock.now += 30_000;
    await w.runDue();
    expect(w.sender.sent).toHaveLength(1);
    expect(w.sender.sent[0]?.body).toContain('Alert id:');
  });

  it('given a crash after the entry and before the head knew of it, then the retry schedules the group', async () => {
    const w = world();
    const fired = notification(alertOf('D1'));
    w.store.failNext = 'noteAdded';
    await expect(w.add(fired)).rejects.toThrow(/crash/);
    expect(w.queue.sent).toEqual([]);
    await w.add(fired);
    expect(w.queue.sent).toHaveLength(1);
    w.clock.now += 30_000;
    await w.runDue();
    expect(w.sender.sent).toHaveLength(1);
  });

  it('given SNS failing, then the flush gives its lease back and fails, counting it, and the retry sends the group once', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    w.sender.failuresLeft = 1;
    await expect(flushGroup('hot', w.deps)).rejects.toThrow(/SNS unavailable/);
    expect(w.counted).toContainEqual({ name: 'NotificationsFailed', value: 1, dimension: 'sns' });
    expect(await flushGroup('hot', w.deps)).toBe(1);
    expect(w.sender.sent).toHaveLength(1);
  });

  it('given a crash after a message was recorded sent and before its entries were cleared, then the next flush clears them and sends nothing twice', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    w.store.failNext = 'clearSent';
    await expect(flushGroup('hot', w.deps)).rejects.toThrow(/crash/);
    // The lease of the crashed flush runs out; the scheduled check finds the group overdue.
    w.clock.now += LEASE_MS + 1;
    expect(await flushOverdueGroups(w.deps)).toEqual({ groups: 1, sent: 0, errors: [] });
    expect(w.sender.sent).toHaveLength(1);
    expect(await w.store.pending('hot', 100)).toEqual([]);
  });

  it('given a crash after SNS accepted a message and before it was recorded, then the group is sent again: the documented window', async () => {
    const w = world();
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    w.store.failNext = 'recordSent';
    await expect(flushGroup('hot', w.deps)).rejects.toThrow(/crash/);
    w.clock.now += LEASE_MS + 1;
    await flushOverdueGroups(w.deps);
    expect(w.sender.sent).toHaveLength(2);
  });

  it.each([LEASE_MS, 10_000])(
    'given a lost flush message and a lease of %i ms, then the scheduled check sends the group once it is that long overdue, and not before',
    async (leaseMs) => {
      const w = world(leaseMs);
      await w.add(notification(alertOf('D1')));
      w.queue.sent.length = 0;
      w.clock.now += 30_000 + leaseMs - 1;
      expect(await flushOverdueGroups(w.deps)).toMatchObject({ groups: 0 });
      w.clock.now += 2;
      expect(await flushOverdueGroups(w.deps)).toEqual({ groups: 1, sent: 1, errors: [] });
      expect(w.sender.sent).toHaveLength(1);
    },
  );

  it('given a flush that crashed holding the lease, then another flush leaves the group alone until the lease (DELIVERY_LEASE_SECONDS) runs out, then clears what was sent without sending it twice', async () => {
    const w = world(10_000);
    await w.add(notification(alertOf('D1')));
    w.clock.now += 30_000;
    w.store.failNext = 'clearSent';
    await expect(flushGroup('hot', w.deps)).rejects.toThrow(/crash/);
    w.clock.now += 10_000 - 1;
    expect(await flushGroup('hot', w.deps)).toBe(0);
    expect(await w.store.pending('hot', 100)).toHaveLength(1); // the lease still held it
    w.clock.now += 2;
    expect(await flushGroup('hot', w.deps)).toBe(0);
    expect(w.sender.sent).toHaveLength(1);
    expect(await w.store.pending('hot', 100)).toEqual([]);
  });
});
