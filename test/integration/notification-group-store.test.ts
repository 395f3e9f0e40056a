import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbNotificationGroupStore } from '../../adapters/dynamodb-notification-group-store.ts';
import { SqsEvaluationQueue } from '../../adapters/sqs-evaluation-queue.ts';
import { thresholdAlert } from '../../domain/alert.ts';
import type { GroupEntry, GroupSettings } from '../../domain/notification-groups.ts';
import { tables } from '../../infra/resources.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { reading, rule, t0 } from '../support/builders.ts';

// The notification group store against the DynamoDB emulator, and the delayed flush message
// against the SQS emulator: what domain/notification-groups.ts relies on of each.

let emulators: ProvisionedEmulators;
let store: DynamoDbNotificationGroupStore;
const clock = t0;

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  store = new DynamoDbNotificationGroupStore(
    DynamoDBDocumentClient.from(emulators.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tables.notificationGroups.id,
    () => clock,
  );
}, 30_000);

afterAll(async () => {
  await emulators?.close();
});

function entryOf(deviceId: string, at = 0): GroupEntry {
  const alert = thresholdAlert(
    rule('hot'),
    reading(`r-${deviceId}`, 75, 0, deviceId),
    75,
    new Date(t0).toISOString(),
    { site: 'berlin' },
  );
  return { id: `${alert.id}/FIRING@x`, kind: 'FIRING', alert, addedAt: t0 + at };
}

function groupNamed(key: string): GroupSettings {
  return { key, ruleId: 'hot', labels: [], waitSeconds: 30, intervalSeconds: 300 };
}

describe('DynamoDbNotificationGroupStore', () => {
  it('given the same entry added twice, then it is added once and waits; once sent and cleared, a third add says sent', async () => {
    const entry = entryOf('D1');
    expect(await store.addEntry('g-once', entry)).toBe('added');
    expect(await store.addEntry('g-once', entry)).toBe('pending');
    const pending = await store.pending('g-once', 10);
    expect(pending).toEqual([entry]);
    await store.recordSent('g-once', 'm1', [entry.id]);
    expect(await store.sentRecords('g-once')).toEqual([{ messageId: 'm1', entryIds: [entry.id] }]);
    await store.clearSent('g-once', 'm1', [entry.id]);
    expect(await store.pending('g-once', 10)).toEqual([]);
    expect(await store.sentRecords('g-once')).toEqual([]);
    expect(await store.addEntry('g-once', entry)).toBe('sent');
    expect(await store.pending('g-once', 10)).toEqual([]);
  });

  it('given the first add into an empty group, then it sets the due time and later adds do not; the head counts every add', async () => {
    const group = groupNamed('g-due');
    const first = await store.noteAdded(group, t0 + 30_000);
    expect(first).toEqual({
      scheduled: true,
      head: { ...group, flushAt: t0 + 30_000, nextAllowedAt: 0, added: 1 },
    });
    const second = await store.noteAdded(group, t0 + 31_000);
    expect(second).toMatchObject({ scheduled: false, head: { flushAt: t0 + 30_000, added: 2 } });
    expect(await store.reschedule('g-due', t0 + 1, t0 + 40_000)).toBe(false);
    expect(await store.reschedule('g-due', t0 + 30_000, t0 + 40_000)).toBe(true);
  });

  it('given a due group, then one flush holds its lease at a time, until it runs out', async () => {
    await store.noteAdded(groupNamed('g-lease'), t0);
    const leased = await store.lease('g-lease', t0, 60_000);
    expect(leased?.head).toMatchObject({ key: 'g-lease', flushAt: t0, added: 1 });
    expect(await store.lease('g-lease', t0 + 59_000, 60_000)).toBeNull();
    expect(await store.lease('g-lease', t0 + 61_000, 60_000)).not.toBeNull();
    expect(await store.lease('g-nothing-due', t0, 60_000)).toBeNull();
  });

  it('given a flush that sent everything, then the group is left with nothing due, unless an add came meanwhile: then the next is due at the interval', async () => {
    const group = groupNamed('g-release');
    await store.noteAdded(group, t0);
    const quiet = await store.lease('g-release', t0, 60_000);
    const outcome = {
      sentAt: t0,
      nextAllowedAt: t0 + 300_000,
      due: null,
      dueIfAdded: t0 + 300_000,
    };
    expect(
      await store.release('g-release', quiet?.lease ?? 0, { ...outcome, addedAtLease: 1 }),
    ).toBeNull();
    expect(await store.overdue(t0 + 1_000_000, 10)).not.toContain('g-release');
    expect(await store.lease('g-release', t0, 60_000)).toBeNull();

    await store.noteAdded(group, t0 + 10_000);
    const busy = await store.lease('g-release', t0 + 10_000, 60_000);
    await store.noteAdded(group, t0 + 11_000); // while the flush sends
    expect(
      await store.release('g-release', busy?.lease ?? 0, {
        ...outcome,
        addedAtLease: busy?.head.added ?? 0,
      }),
    ).toBe(t0 + 300_000);
    expect(await store.overdue(t0 + 300_001, 10)).toContain('g-release');
    // A lease lost to another flush writes nothing.
    expect(await store.release('g-release', 42, { ...outcome, addedAtLease: 0 })).toBeUndefined();
  });

  it('given groups due at various times, then overdue lists those due before the time, oldest first', async () => {
    await store.noteAdded(groupNamed('g-late'), t0 - 5_000);
    await store.noteAdded(groupNamed('g-later'), t0 - 2_000);
    await store.noteAdded(groupNamed('g-future'), t0 + 900_000);
    const overdue = await store.overdue(t0 - 1_000, 100);
    expect(overdue.indexOf('g-late')).toBeLessThan(overdue.indexOf('g-later'));
    expect(overdue).not.toContain('g-future');
  });

  it('given many entries, then pending reads them all, page by page, up to the limit', async () => {
    const entries = Array.from({ length: 60 }, (_, i) => entryOf(`D${i}`, i));
    for (const entry of entries) await store.addEntry('g-many', entry);
    expect((await store.pending('g-many', 1000)).map((e) => e.id).sort()).toEqual(
      entries.map((e) => e.id).sort(),
    );
    expect(await store.pending('g-many', 25)).toHaveLength(25);
  });
});

describe('a delayed flush message on the SQS emulator', () => {
  it('given a work message sent with a delay of 2 s, then it is not received before, and is after', async () => {
    const { QueueUrl } = await emulators.sqs.send(
      new CreateQueueCommand({ QueueName: 'delayed-flush' }),
    );
    const queue = new SqsEvaluationQueue(emulators.sqs, QueueUrl as string);
    const sentAt = Date.now();
    await queue.send({ type: 'flushGroup', groupKey: 'g1' }, 2);
    const early = await emulators.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(early.Messages ?? []).toEqual([]);
    let received: { Body?: string } | undefined;
    while (!received) {
      const result = await emulators.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }),
      );
      received = result.Messages?.[0];
    }
    expect(JSON.parse(received.Body ?? '')).toEqual({ type: 'flushGroup', groupKey: 'g1' });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(2000);
  });
});
