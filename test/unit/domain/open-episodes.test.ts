import { describe, expect, it } from 'vitest';
import { newEpisode } from '../../../domain/episode.ts';
import { evaluateReadings } from '../../../domain/evaluation.ts';
import { noMetrics } from '../../../domain/metrics.ts';
import {
  isAtRest,
  leavesRestingEpisode,
  OpenEpisodeCache,
  OpenEpisodes,
  TrackedEpisodeStore,
} from '../../../domain/open-episodes.ts';
import type { Rule } from '../../../domain/rule.ts';
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

const REFRESH_MS = 2_000;

/** An episode store that counts the episodes each worker reads. */
class CountingEpisodeStore extends FakeEpisodeStore {
  reads = 0;
  override async loadMany(keys: readonly { ruleId: string; deviceId: string }[]) {
    this.reads += keys.length;
    return super.loadMany(keys);
  }
}

/**
 * A worker as wired: its knowledge of the open episodes fed by the shared store's index and
 * told of its own reads and writes. Workers made from one store share episodes and alerts.
 */
function worker(rules: Rule[], store: CountingEpisodeStore, alerts = new FakeAlertStore()) {
  const clock = { now: t0 };
  store.now = () => clock.now;
  const open = new OpenEpisodeCache(store, { maxAgeMs: REFRESH_MS, now: () => clock.now });
  const index = new RuleIndex(rules);
  const publisher = new FakeChannel();
  const deps = {
    readings: new FakeReadingStore(),
    rules: async () => index,
    devices: { loadMany: async () => new Map(), recordSightings: async () => {} },
    episodes: new TrackedEpisodeStore(store, open.known),
    openEpisodes: () => open.current(),
    alerts,
    notifier: new FakeChannel(),
    publisher,
    now: () => clock.now,
    sleep: async () => {},
    firingWindowMs: 60_000,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics: noMetrics,
  };
  return { deps, open, clock, publisher, alerts };
}

const statusesOf = (publisher: FakeChannel) => publisher.sent.map((alert) => alert.status);

describe('isAtRest and leavesRestingEpisode', () => {
  it('given a new episode, then it is at rest; given anything open, counted, flapping or unsent, then it is not', () => {
    const rest = newEpisode('hot', 'D1');
    expect(isAtRest(rest)).toBe(true);
    expect(isAtRest({ ...rest, consecutive: 1 })).toBe(false);
    expect(isAtRest({ ...rest, flapHistory: 1 })).toBe(false);
    expect(isAtRest({ ...rest, flapping: true })).toBe(false);
    const notification = { key: 'k', kind: 'RESOLVED' as const, alert: {} as never };
    expect(isAtRest({ ...rest, outbox: [notification] })).toBe(false);
    expect(isAtRest({ ...rest, open: {} as never })).toBe(false);
    expect(isAtRest({ ...rest, noData: {} as never })).toBe(false);
  });

  it('given a healthy reading, then only a plain rule leaves a resting episode unread', () => {
    const healthy = reading('r1', 20, 0);
    expect(leavesRestingEpisode(rule('hot'), healthy)).toBe(true);
    expect(leavesRestingEpisode(rule('hot'), reading('r2', 95, 0))).toBe(false);
    expect(leavesRestingEpisode(rule('hot', { forReadings: 2 }), healthy)).toBe(false);
    expect(leavesRestingEpisode(rule('hot', { windowSeconds: 60 }), healthy)).toBe(false);
    expect(leavesRestingEpisode(rule('hot', { noDataSeconds: 60 }), healthy)).toBe(false);
  });
});

describe('OpenEpisodes', () => {
  const open = { ...newEpisode('hot', 'D1'), consecutive: 1 };
  const key = 'hot#D1';

  it('given an episode read open, then at rest at a later version, then it is held, then dropped', () => {
    const known = new OpenEpisodes();
    known.saw({ ...open, version: 3 });
    expect(known.mayBeOpen('hot', 'D1')).toBe(true);
    known.saw({ ...newEpisode('hot', 'D1'), version: 4 });
    expect(known.mayBeOpen('hot', 'D1')).toBe(false);
  });

  it('given the index shows a later version than a read at rest, then the read does not drop it', () => {
    const known = new OpenEpisodes();
    known.filed({ id: key, ruleId: 'hot', deviceId: 'D1', version: 7, changedAt: t0 });
    known.saw({ ...newEpisode('hot', 'D1'), version: 6 });
    expect(known.mayBeOpen('hot', 'D1')).toBe(true);
    known.saw({ ...newEpisode('hot', 'D1'), version: 7 });
    expect(known.mayBeOpen('hot', 'D1')).toBe(false);
  });

  it('given episodes of two rules of a device and of another device, then each is held and dropped alone', () => {
    const known = new OpenEpisodes();
    known.saw({ ...open, version: 1 });
    known.saw({ ...newEpisode('cold', 'D1'), consecutive: 1, version: 1 });
    known.filed({ id: 'hot#D2', ruleId: 'hot', deviceId: 'D2', version: 1, changedAt: t0 });
    expect(known.size).toBe(3);
    known.saw({ ...newEpisode('hot', 'D1'), version: 2 });
    expect(known.mayBeOpen('hot', 'D1')).toBe(false);
    expect(known.mayBeOpen('cold', 'D1')).toBe(true);
    expect(known.mayBeOpen('hot', 'D2')).toBe(true);
    expect(known.mayBeOpen('cold', 'D2')).toBe(false);
    expect(known.size).toBe(2);
    // At rest again at the same version: already dropped, counted once.
    known.saw({ ...newEpisode('hot', 'D1'), version: 2 });
    expect(known.size).toBe(2);
  });
});

describe('evaluation with the open episodes known', () => {
  it('given healthy readings of plain rules, then no episode is read; a breaching one is, and fires', async () => {
    const store = new CountingEpisodeStore();
    const { deps, publisher } = worker([rule('hot'), rule('warm', { threshold: 40 })], store);
    await evaluateReadings([reading('r1', 20, 1), reading('r2', 30, 2, 'D2')], deps);
    expect(store.reads).toBe(0);
    await evaluateReadings([reading('r3', 50, 3)], deps);
    // Only `warm` breaches: `hot`'s episode stays unread.
    expect(store.reads).toBe(1);
    expect(statusesOf(publisher)).toEqual(['FIRING']);
  });

  it('given an alert this worker fired, then its next healthy reading is read and resolves it', async () => {
    const store = new CountingEpisodeStore();
    const { deps, publisher } = worker([rule('hot')], store);
    await evaluateReadings([reading('r1', 75, 1)], deps);
    await evaluateReadings([reading('r2', 20, 2)], deps);
    expect(statusesOf(publisher)).toEqual(['FIRING', 'RESOLVED']);
    // Its flapping history holds the two transitions for the next 20 readings; each is read.
    const before = store.reads;
    for (let n = 3; n < 23; n++) await evaluateReadings([reading(`r${n}`, 20, n)], deps);
    expect(store.reads).toBe(before + 20);
    expect(store.items.get('hot#D1')?.flapHistory).toBe(0);
    // At rest again: the next healthy reading is not read for.
    await evaluateReadings([reading('r23', 20, 23)], deps);
    expect(store.reads).toBe(before + 20);
  });

  it('given a breaching and a healthy reading of one episode in a batch, then both are applied in order', async () => {
    const store = new CountingEpisodeStore();
    const { deps, publisher } = worker([rule('hot')], store);
    await evaluateReadings([reading('r2', 20, 2), reading('r1', 75, 1)], deps);
    expect(statusesOf(publisher)).toEqual(['FIRING', 'RESOLVED']);
  });

  it('given a device whose batch moves the episode of one rule, then its readings at rest of another rule stay unread', async () => {
    const store = new CountingEpisodeStore();
    const { deps, publisher } = worker([rule('hot'), rule('warm', { threshold: 40 })], store);
    await evaluateReadings(
      [reading('r1', 20, 1), reading('r2', 50, 2), reading('r3', 20, 3)],
      deps,
    );
    expect(store.reads).toBe(1);
    expect(statusesOf(publisher)).toEqual(['FIRING', 'RESOLVED']);
  });

  it('given a rule that counts breaching readings, then its healthy readings are read and reset the count', async () => {
    const store = new CountingEpisodeStore();
    const { deps, publisher } = worker([rule('hot', { forReadings: 2 })], store);
    await evaluateReadings([reading('r1', 75, 1)], deps);
    await evaluateReadings([reading('r2', 20, 2)], deps);
    await evaluateReadings([reading('r3', 75, 3)], deps);
    expect(store.reads).toBe(3);
    expect(statusesOf(publisher)).toEqual([]);
  });

  it('given window and no-data rules, then every reading reads their episodes', async () => {
    const store = new CountingEpisodeStore();
    const rules = [rule('avg', { windowSeconds: 60 }), rule('silent', { noDataSeconds: 60 })];
    const { deps } = worker(rules, store);
    await evaluateReadings([reading('r1', 20, 1)], deps);
    expect(store.reads).toBe(2);
  });

  it('given an alert another worker fired, then this worker resolves it with a healthy reading once its knowledge is fed (within the refresh time)', async () => {
    const store = new CountingEpisodeStore();
    const alerts = new FakeAlertStore();
    const a = worker([rule('hot')], store, alerts);
    const b = worker([rule('hot')], store, alerts);
    // B knows the index as it was before the alert: empty.
    await evaluateReadings([reading('r0', 20, 0, 'D9')], b.deps);
    await evaluateReadings([reading('r1', 75, 1)], a.deps);
    expect(statusesOf(a.publisher)).toEqual(['FIRING']);
    // The refresh time later, B has read the index's changes and reads the episode.
    b.clock.now += REFRESH_MS;
    store.now = () => b.clock.now;
    await b.open.current();
    await new Promise((resolve) => setImmediate(resolve));
    await evaluateReadings([reading('r2', 20, 2)], b.deps);
    expect(statusesOf(b.publisher)).toEqual(['RESOLVED']);
    expect((await alerts.get(a.publisher.sent[0]?.id ?? ''))?.status).toBe('RESOLVED');
  });

  it('given the index is not complete yet (an upgrade not filed), then every matched episode is read', async () => {
    const store = new CountingEpisodeStore();
    store.indexComplete = false;
    const { deps } = worker([rule('hot')], store);
    await evaluateReadings([reading('r1', 20, 1), reading('r2', 20, 2, 'D2')], deps);
    expect(store.reads).toBe(2);
  });

  it('given the index cannot be read at a cold start, then the batch is evaluated, every matched episode read', async () => {
    const store = new CountingEpisodeStore();
    store.openSince = async () => {
      throw new Error('index unavailable');
    };
    const { deps, publisher } = worker([rule('hot')], store);
    const failed = await evaluateReadings([reading('r1', 20, 1), reading('r2', 75, 2)], deps);
    expect(failed.size).toBe(0);
    expect(store.reads).toBe(1);
    expect(statusesOf(publisher)).toEqual(['FIRING']);
  });

  it('given the index could not be read for twice the refresh time, then every matched episode is read', async () => {
    const store = new CountingEpisodeStore();
    const { deps, clock } = worker([rule('hot')], store);
    await evaluateReadings([reading('r1', 20, 1)], deps);
    expect(store.reads).toBe(0);
    store.openSince = async () => {
      throw new Error('index unavailable');
    };
    clock.now += 2 * REFRESH_MS + 1;
    await evaluateReadings([reading('r2', 20, 2)], deps);
    expect(store.reads).toBe(1);
  });
});
