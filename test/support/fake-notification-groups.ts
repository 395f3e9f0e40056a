import type {
  GroupEntry,
  GroupHead,
  GroupMessage,
  GroupSettings,
} from '../../domain/notification-groups.ts';
import type {
  GroupSender,
  NotificationGroupStore,
  WorkMessage,
  WorkQueue,
} from '../../domain/ports.ts';

interface StoredHead extends GroupHead {
  lease: number | null;
}

/**
 * Notification groups in memory, with the store's semantics (adapters/
 * dynamodb-notification-group-store.ts): first add wins, leases, the added count, sent records.
 */
export class FakeNotificationGroupStore implements NotificationGroupStore {
  readonly heads = new Map<string, StoredHead>();
  readonly pendingEntries = new Map<string, Map<string, GroupEntry>>();
  readonly ids = new Map<string, 'pending' | 'sent'>();
  readonly records = new Map<string, Map<string, string[]>>();
  /** Fails the next write of this name once, as a crash there would cut the call short. */
  failNext: string | null = null;

  #fail(step: string): void {
    if (this.failNext === step) {
      this.failNext = null;
      throw new Error(`crash at ${step} (injected)`);
    }
  }

  #pendingOf(groupKey: string): Map<string, GroupEntry> {
    let entries = this.pendingEntries.get(groupKey);
    if (!entries) {
      entries = new Map();
      this.pendingEntries.set(groupKey, entries);
    }
    return entries;
  }

  async addEntry(groupKey: string, entry: GroupEntry): Promise<'added' | 'pending' | 'sent'> {
    const idKey = `${groupKey}|${entry.id}`;
    const state = this.ids.get(idKey);
    if (state === undefined) {
      this.ids.set(idKey, 'pending');
      this.#fail('addEntry:pending');
      this.#pendingOf(groupKey).set(entry.id, structuredClone(entry));
      return 'added';
    }
    if (this.#pendingOf(groupKey).has(entry.id)) return 'pending';
    if (state === 'sent') return 'sent';
    this.#pendingOf(groupKey).set(entry.id, structuredClone(entry));
    return 'pending';
  }

  async noteAdded(
    group: GroupSettings,
    flushAt: number,
  ): Promise<{ head: GroupHead; scheduled: boolean }> {
    this.#fail('noteAdded');
    const old = this.heads.get(group.key);
    const scheduled = old?.flushAt === null || old === undefined;
    const head: StoredHead = {
      ...group,
      flushAt: scheduled ? flushAt : (old?.flushAt as number),
      nextAllowedAt: old?.nextAllowedAt ?? 0,
      added: (old?.added ?? 0) + 1,
      lease: old?.lease ?? null,
    };
    this.heads.set(group.key, head);
    const { lease: _, ...view } = head;
    return { head: view, scheduled };
  }

  async reschedule(groupKey: string, from: number, to: number): Promise<boolean> {
    const head = this.heads.get(groupKey);
    if (head?.flushAt !== from) return false;
    head.flushAt = to;
    return true;
  }

  async lease(
    groupKey: string,
    now: number,
    leaseMs: number,
  ): Promise<{ head: GroupHead; lease: number } | null> {
    const head = this.heads.get(groupKey);
    if (!head || head.flushAt === null || (head.lease !== null && head.lease >= now)) return null;
    head.lease = now + leaseMs + Math.random();
    const { lease, ...view } = head;
    return { head: { ...view }, lease };
  }

  async unlease(groupKey: string, lease: number): Promise<void> {
    const head = this.heads.get(groupKey);
    if (head?.lease === lease) head.lease = null;
  }

  async pending(groupKey: string, limit: number): Promise<GroupEntry[]> {
    return [...this.#pendingOf(groupKey).values()].slice(0, limit).map((e) => structuredClone(e));
  }

  async sentRecords(groupKey: string): Promise<{ messageId: string; entryIds: string[] }[]> {
    return [...(this.records.get(groupKey) ?? new Map<string, string[]>())].map(
      ([messageId, entryIds]) => ({ messageId, entryIds: [...entryIds] }),
    );
  }

  async recordSent(
    groupKey: string,
    messageId: string,
    entryIds: readonly string[],
  ): Promise<void> {
    this.#fail('recordSent');
    let records = this.records.get(groupKey);
    if (!records) {
      records = new Map();
      this.records.set(groupKey, records);
    }
    records.set(messageId, [...entryIds]);
  }

  async clearSent(groupKey: string, messageId: string, entryIds: readonly string[]): Promise<void> {
    this.#fail('clearSent');
    for (const id of entryIds) this.ids.set(`${groupKey}|${id}`, 'sent');
    for (const id of entryIds) this.#pendingOf(groupKey).delete(id);
    this.records.get(groupKey)?.delete(messageId);
  }

  async release(
    groupKey: string,
    lease: number,
    outcome: {
      sentAt: number | null;
      nextAllowedAt: number;
      due: number | null;
      addedAtLease: number;
      dueIfAdded: number;
    },
  ): Promise<number | null | undefined> {
    const head = this.heads.get(groupKey);
    if (!head || head.lease !== lease) return undefined;
    head.lease = null;
    head.nextAllowedAt = outcome.nextAllowedAt;
    if (outcome.due === null && head.added === outcome.addedAtLease) {
      head.flushAt = null;
      return null;
    }
    head.flushAt = outcome.due ?? outcome.dueIfAdded;
    return head.flushAt;
  }

  async overdue(before: number, limit: number): Promise<string[]> {
    return [...this.heads.values()]
      .filter((head) => head.flushAt !== null && head.flushAt < before)
      .sort((a, b) => (a.flushAt as number) - (b.flushAt as number))
      .slice(0, limit)
      .map((head) => head.key);
  }
}

/** Work messages sent, with their delays. */
export class FakeWorkQueue implements WorkQueue {
  readonly sent: { message: WorkMessage; delaySeconds: number }[] = [];
  async send(message: WorkMessage, delaySeconds = 0): Promise<void> {
    this.sent.push({ message, delaySeconds });
  }
}

/** Group messages sent; `failuresLeft` sends fail first. */
export class FakeGroupSender implements GroupSender {
  readonly sent: GroupMessage[] = [];
  failuresLeft = 0;
  async send(message: GroupMessage): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('SNS unavailable (injected)');
    }
    this.sent.push(message);
  }
}
