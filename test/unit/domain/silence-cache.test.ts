import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { type MuteEntry, silenceMute } from '../../../domain/mute-set.ts';
import {
  MuteCache,
  type MuteChange,
  muteChangeFeed,
  type MuteSource,
} from '../../../domain/silence-cache.ts';
import { expiredSilenceRetentionMs, newSilence } from '../../../domain/silences.ts';
import type { CreateSilenceInput } from '../../../generated/graphql.ts';

const MAX_AGE = 2000;
const t0 = Date.parse('2026-05-01T12:00:00.000Z');
const hour = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const silence = (id: string, deviceId: string, startsAt = t0, endsAt = t0 + hour): MuteEntry =>
  silenceMute(
    newSilence(
      {
        matchers: { deviceId },
        startsAt: iso(startsAt),
        endsAt: iso(endsAt),
        comment: id,
      } as CreateSilenceInput,
      id,
      Math.min(startsAt, t0),
      'ops',
    ),
  );

const alertOf = (deviceId: string) =>
  ({
    id: 'a',
    ruleId: 'r',
    deviceId,
    metric: 'm',
    severity: 'WARNING',
    labels: [],
  }) as Partial<Alert> as Alert;

/** A source whose answers the test sets, counting what it is asked. */
class FakeSource implements MuteSource {
  mutes: MuteEntry[] = [];
  changes: MuteChange[] = [];
  loads = 0;
  readonly asked: number[] = [];
  held = false;
  #release: (() => void) | null = null;

  async loadAll() {
    this.loads++;
    return [...this.mutes];
  }

  async changedSince(since: number): Promise<MuteChange[]> {
    this.asked.push(since);
    if (this.held) await new Promise<void>((resolve) => (this.#release = resolve));
    return this.changes.filter((change) => change.changedAt >= since);
  }

  release(): void {
    this.held = false;
    this.#release?.();
  }
}

function setUp() {
  const source = new FakeSource();
  let now = t0;
  const cache = new MuteCache(source, { maxAgeMs: MAX_AGE, now: () => now });
  return { source, cache, at: (ms: number) => (now = ms) };
}

describe('MuteCache', () => {
  it('given a cold start, then it loads every mute once, and afterwards reads only the changes since its last refresh', async () => {
    // Prepare
    const { source, cache, at } = setUp();
    source.mutes = [silence('s1', 'D1')];

    // Act: cold, then idle past the max age.
    const first = await cache.current();
    at(t0 + MAX_AGE);
    source.changes = [{ id: 's2', changedAt: t0 + 10, mute: silence('s2', 'D2') }];
    const second = await cache.current();

    // Assess
    expect(source.loads).toBe(1);
    expect(source.asked).toEqual([t0 - muteChangeFeed.overlapMs]);
    expect(second).toBe(first);
    expect(second.mutedBy(alertOf('D1'), t0 + MAX_AGE)?.id).toBe('s1');
    expect(second.mutedBy(alertOf('D2'), t0 + MAX_AGE)?.id).toBe('s2');
  });

  it('given a silence expired and a window deleted, then a refresh applies both', async () => {
    const { source, cache, at } = setUp();
    source.mutes = [silence('s1', 'D1'), silence('w1', 'D2')];
    await cache.current();
    at(t0 + MAX_AGE);
    source.changes = [
      { id: 's1', changedAt: t0 + 100, mute: silence('s1', 'D1', t0, t0 + 100) },
      { id: 'w1', changedAt: t0 + 200, mute: null },
    ];
    const mutes = await cache.current();
    expect(mutes.mutedBy(alertOf('D1'), t0 + MAX_AGE)).toBeNull();
    expect(mutes.get('s1', t0 + MAX_AGE)?.active).toBe(false);
    expect(mutes.get('w1', t0 + MAX_AGE)).toBeNull();
  });

  it('given a pending silence held, then it mutes from its start with no refresh reading anything', async () => {
    const { source, cache } = setUp();
    source.mutes = [silence('later', 'D1', t0 + hour, t0 + 2 * hour)];
    const mutes = await cache.current();
    expect(mutes.mutedBy(alertOf('D1'), t0)).toBeNull();
    expect(mutes.mutedBy(alertOf('D1'), t0 + hour)?.id).toBe('later');
    expect(source.asked).toEqual([]);
  });

  it('given a busy worker, when a refresh is slow, then it is served the set it holds and never waits', async () => {
    // Prepare
    const { source, cache, at } = setUp();
    source.mutes = [silence('s1', 'D1')];
    const held = await cache.current();
    source.held = true;

    // Act: half the max age on, a call starts a refresh and is served at once.
    at(t0 + MAX_AGE / 2);
    const during = await cache.current();
    at(t0 + MAX_AGE / 2 + 10);
    const meanwhile = await cache.current();

    // Assess
    expect(during).toBe(held);
    expect(meanwhile).toBe(held);
    expect(source.asked).toHaveLength(1);
    source.release();
  });

  it('given a change read twice in the overlap, then it is applied once, and a later one still applies', async () => {
    const { source, cache, at } = setUp();
    await cache.current();
    const change = { id: 's1', changedAt: t0 + 10, mute: silence('s1', 'D1') };
    source.changes = [change];
    at(t0 + MAX_AGE);
    await cache.current();
    // Removed meanwhile by a tombstone: the earlier change read again must not bring it back.
    source.changes = [change, { id: 's1', changedAt: t0 + MAX_AGE + 10, mute: null }];
    at(t0 + 2 * MAX_AGE + 20);
    const mutes = await cache.current();
    expect(mutes.get('s1', t0 + 2 * MAX_AGE + 20)).toBeNull();
  });

  it('given a worker running for long, then silences ended longer ago than they are kept are dropped', async () => {
    const { source, cache, at } = setUp();
    source.mutes = [
      silence('old', 'D1', t0, t0 + 1000),
      silence('current', 'D2', t0, t0 + 30 * 24 * hour),
    ];
    await cache.current();
    // Kept busy past the retention: every refresh is of changes.
    let now = t0;
    while (now < t0 + expiredSilenceRetentionMs + 2 * hour) {
      now += 10 * 60_000;
      at(now);
      await cache.current();
    }
    const mutes = await cache.current();
    expect(source.loads).toBe(1);
    expect(mutes.get('old', now)).toBeNull();
    expect(mutes.get('current', now)?.active).toBe(true);
  });
});
