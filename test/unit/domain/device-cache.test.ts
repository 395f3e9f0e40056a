import { describe, expect, it } from 'vitest';
import type { Device } from '../../../domain/device.ts';
import { DeviceCache } from '../../../domain/device-cache.ts';
import type { DeviceLabelChange } from '../../../domain/ports.ts';
import { ruleChangeFeed } from '../../../domain/rule-cache.ts';

function device(id: string, labels: Record<string, string> = {}): Device {
  return { id, name: null, labels, firstSeenAt: 't', lastSeenAt: 't', latest: [] };
}

/** An inventory that counts what it is asked, with a feed of label changes. */
function inventory(devices: Device[]) {
  const stored = new Map(devices.map((d) => [d.id, d]));
  const asked: string[][] = [];
  const changes: DeviceLabelChange[] = [];
  const feed = { queries: [] as number[], failure: null as Error | null };
  return {
    stored,
    asked,
    feed,
    /** A person's label change at `at`, as the store stamps it. */
    relabel(id: string, labels: Record<string, string>, at: number) {
      stored.set(id, device(id, labels));
      changes.push({ id, changedAt: at });
    },
    source: {
      loadMany: async (ids: readonly string[]) => {
        asked.push([...ids]);
        return new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!]] : [])));
      },
      recordSightings: async () => {},
      labelsChangedSince: async (since: number) => {
        feed.queries.push(since);
        if (feed.failure) throw feed.failure;
        return changes.filter((change) => change.changedAt >= since);
      },
    },
  };
}

/** Lets a refresh started in the background end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('DeviceCache', () => {
  it('given a busy worker and no label changes, when its devices come again long after, then the inventory is not read again, unknown devices included', async () => {
    // Prepare
    const { source, asked, feed } = inventory([device('d1', { site: 'berlin' })]);
    let now = 0;
    const cache = new DeviceCache(source, { maxAgeMs: 1000, now: () => now });
    await cache.loadMany(['d1', 'new']);

    // Act: a batch every 400 ms for a minute.
    let seen = new Map<string, Device>();
    for (now = 400; now <= 60_000; now += 400) {
      seen = await cache.loadMany(['d1', 'new']);
      await settle();
    }

    // Assess
    expect(asked).toEqual([['d1', 'new']]);
    expect(seen.get('d1')?.labels).toEqual({ site: 'berlin' });
    expect(seen.has('new')).toBe(false);
    expect(feed.queries.length).toBeGreaterThan(50);
  });

  it('given a label change, when the next refresh reads the changes, then only that device is read again and its new labels apply within the max age', async () => {
    const { source, asked, relabel } = inventory([device('d1', { site: 'berlin' }), device('d2')]);
    let now = 0;
    const cache = new DeviceCache(source, { maxAgeMs: 1000, now: () => now });
    await cache.loadMany(['d1', 'd2']);

    relabel('d1', { site: 'paris' }, 100);
    let seen = new Map<string, Device>();
    for (now = 400; now <= 1100; now += 100) {
      seen = await cache.loadMany(['d1', 'd2']);
      await settle();
    }

    expect(seen.get('d1')?.labels).toEqual({ site: 'paris' });
    expect(asked.slice(1)).toEqual([['d1']]);
  });

  it('given a worker idle past the max age, when a batch comes, then it waits for the changes before serving', async () => {
    const { source, relabel } = inventory([device('d1', { site: 'berlin' })]);
    let now = 0;
    const cache = new DeviceCache(source, { maxAgeMs: 1000, now: () => now });
    await cache.loadMany(['d1']);

    relabel('d1', { site: 'paris' }, 3000);
    now = 5000;
    const seen = await cache.loadMany(['d1']);

    expect(seen.get('d1')?.labels).toEqual({ site: 'paris' });
  });

  it('given a change read again in the overlap of the next refreshes, then the device is read again once', async () => {
    const { source, asked, relabel } = inventory([device('d1')]);
    let now = 0;
    const cache = new DeviceCache(source, { maxAgeMs: 1000, now: () => now });
    await cache.loadMany(['d1']);
    relabel('d1', { site: 'paris' }, 200);

    for (now = 500; now <= ruleChangeFeed.overlapMs + 2000; now += 500) {
      await cache.loadMany(['d1']);
      await settle();
    }

    expect(asked).toEqual([['d1'], ['d1']]);
  });

  it('given the changes cannot be read, then held devices are read again by their age, and the failure is told', async () => {
    const { source, asked, feed, stored } = inventory([device('d1', { site: 'berlin' })]);
    const errors: unknown[] = [];
    let now = 0;
    const cache = new DeviceCache(source, {
      maxAgeMs: 1000,
      now: () => now,
      onError: (error) => errors.push(error),
    });
    await cache.loadMany(['d1']);
    feed.failure = new Error('throttled');
    stored.set('d1', device('d1', { site: 'paris' }));

    now = 1500;
    const seen = await cache.loadMany(['d1']);

    expect(seen.get('d1')?.labels).toEqual({ site: 'paris' });
    expect(asked).toEqual([['d1'], ['d1']]);
    expect(errors).toHaveLength(1);
  });

  it('given a device held for longer than it may be, then it is read again whatever the changes say', async () => {
    const { source, asked } = inventory([device('d1')]);
    let now = 0;
    const cache = new DeviceCache(source, { maxAgeMs: 1000, heldAtMostMs: 5000, now: () => now });
    await cache.loadMany(['d1']);

    for (now = 400; now <= 5200; now += 400) {
      await cache.loadMany(['d1']);
      await settle();
    }

    expect(asked).toEqual([['d1'], ['d1']]);
  });

  it('given a device held, when loadFresh asks for it, then the inventory is read and what it says is held from then on', async () => {
    const { source, stored } = inventory([device('d1', { site: 'berlin' })]);
    const cache = new DeviceCache(source, { maxAgeMs: 60_000, now: () => 0 });
    await cache.loadMany(['d1']);
    stored.set('d1', device('d1', { site: 'paris' }));

    const fresh = await cache.loadFresh(['d1']);
    const held = await cache.loadMany(['d1']);

    expect(fresh.get('d1')?.labels).toEqual({ site: 'paris' });
    expect(held.get('d1')?.labels).toEqual({ site: 'paris' });
  });

  it('given more devices than it may hold, then the longest held are dropped and read again when seen', async () => {
    const { source, asked } = inventory([device('a'), device('b'), device('c')]);
    const cache = new DeviceCache(source, { maxAgeMs: 60_000, now: () => 0, maxEntries: 2 });
    await cache.loadMany(['a']);
    await cache.loadMany(['b']);
    await cache.loadMany(['c']);

    await cache.loadMany(['b', 'c']);
    await cache.loadMany(['a']);

    expect(asked).toEqual([['a'], ['b'], ['c'], ['a']]);
  });
});
