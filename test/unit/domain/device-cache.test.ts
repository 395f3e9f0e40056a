import { describe, expect, it } from 'vitest';
import type { Device } from '../../../domain/device.ts';
import { DeviceCache } from '../../../domain/device-cache.ts';

function device(id: string, labels: Record<string, string> = {}): Device {
  return { id, name: null, labels, firstSeenAt: 't', lastSeenAt: 't', latest: [] };
}

/** An inventory that counts the ids it is asked for. */
function inventory(devices: Device[]) {
  const stored = new Map(devices.map((d) => [d.id, d]));
  const asked: string[][] = [];
  return {
    stored,
    asked,
    source: {
      loadMany: async (ids: readonly string[]) => {
        asked.push([...ids]);
        return new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!]] : [])));
      },
      recordSightings: async () => {},
    },
  };
}

describe('DeviceCache', () => {
  it('given devices read once, when the next batches come within the max age, then the inventory is not read again, unknown devices included', async () => {
    const { source, asked } = inventory([device('d1', { site: 'berlin' })]);
    let now = 0;
    const cache = new DeviceCache(source, 1000, () => now);

    await cache.loadMany(['d1', 'new']);
    now = 999;
    const again = await cache.loadMany(['d1', 'new']);

    expect(asked).toEqual([['d1', 'new']]);
    expect(again.get('d1')?.labels).toEqual({ site: 'berlin' });
    expect(again.has('new')).toBe(false);
  });

  it('given a label change in the inventory, when the max age has passed, then the next batch reads only the devices whose entries are old and sees the change', async () => {
    const { source, asked, stored } = inventory([device('d1', { site: 'berlin' }), device('d2')]);
    let now = 0;
    const cache = new DeviceCache(source, 1000, () => now);
    await cache.loadMany(['d1']);
    now = 500;
    await cache.loadMany(['d2']);
    stored.set('d1', device('d1', { site: 'paris' }));

    now = 1200;
    const seen = await cache.loadMany(['d1', 'd2']);

    expect(asked.at(-1)).toEqual(['d1']);
    expect(seen.get('d1')?.labels).toEqual({ site: 'paris' });
  });

  it('given a device held, when loadFresh asks for it, then the inventory is read and what it says is held from then on', async () => {
    const { source, stored } = inventory([device('d1', { site: 'berlin' })]);
    const cache = new DeviceCache(source, 60_000, () => 0);
    await cache.loadMany(['d1']);
    stored.set('d1', device('d1', { site: 'paris' }));

    const fresh = await cache.loadFresh(['d1']);
    const held = await cache.loadMany(['d1']);

    expect(fresh.get('d1')?.labels).toEqual({ site: 'paris' });
    expect(held.get('d1')?.labels).toEqual({ site: 'paris' });
  });

  it('given more devices than it may hold, then the longest held are dropped and read again when seen', async () => {
    const { source, asked } = inventory([device('a'), device('b'), device('c')]);
    const cache = new DeviceCache(source, 60_000, () => 0, 2);
    await cache.loadMany(['a']);
    await cache.loadMany(['b']);
    await cache.loadMany(['c']);

    await cache.loadMany(['b', 'c']);
    await cache.loadMany(['a']);

    expect(asked).toEqual([['a'], ['b'], ['c'], ['a']]);
  });
});
