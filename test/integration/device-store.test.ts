import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeviceStore } from '../../adapters/dynamodb-device-store.ts';
import { type DeviceSighting, parseDeviceFilter } from '../../domain/device.ts';
import { DeviceCache } from '../../domain/device-cache.ts';
import { pageRequest } from '../../domain/pagination.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';

// The DynamoDB device store against the DynamoDB emulator: what several workers writing the
// same devices at once leave, how many writes the granularity saves, and the bound on the
// reads of one filtered listing.

let emulators: ProvisionedEmulators;
let documents: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  documents = DynamoDBDocumentClient.from(emulators.dynamodb);
  tableName = emulators.resources.tableNames.devices;
});

afterAll(async () => {
  await emulators?.close();
});

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const NOW = T0 + 24 * 3600_000;
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function sighting(deviceId: string, latest: Record<string, [number, number]>): DeviceSighting {
  const times = Object.values(latest).map(([seconds]) => seconds);
  return {
    deviceId,
    oldest: at(Math.min(...times)),
    newest: at(Math.max(...times)),
    latest: Object.fromEntries(
      Object.entries(latest).map(([metric, [seconds, value]]) => [
        metric,
        { value, timestamp: at(seconds) },
      ]),
    ),
  };
}

/** A store (a worker, with its own memory) whose requests are counted by command. */
function countedStore() {
  const sent: string[] = [];
  const client = {
    send: (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      return documents.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { store: new DynamoDbDeviceStore(client, tableName), sent };
}

describe('several workers recording the same devices', () => {
  it('given two workers creating one device at once with different metrics, then the device has both', async () => {
    // Prepare
    const [a, b] = [countedStore().store, countedStore().store];
    // Act
    await Promise.all([
      a.recordSightings([sighting('race-1', { temperature: [0, 1] })], NOW),
      b.recordSightings([sighting('race-1', { pressure: [5, 2] })], NOW),
    ]);
    // Assess
    const device = await a.get('race-1');
    expect(device?.latest).toEqual([
      { metric: 'pressure', value: 2, timestamp: at(5) },
      { metric: 'temperature', value: 1, timestamp: at(0) },
    ]);
    expect(device?.lastSeenAt).toBe(at(5));
  });

  it('given a worker that remembers old times, when it records older readings than another worker stored, then nothing moves backwards', async () => {
    const [a, b] = [countedStore().store, countedStore().store];
    await a.recordSightings([sighting('race-2', { temperature: [0, 1] })], NOW);
    await b.recordSightings([sighting('race-2', { temperature: [600, 2] })], NOW);
    // `a` remembers the device at 0 s: 300 s looks due to it, but the store has 600 s.
    await a.recordSightings([sighting('race-2', { temperature: [300, 3] })], NOW);
    const device = await b.get('race-2');
    expect(device?.latest).toEqual([{ metric: 'temperature', value: 2, timestamp: at(600) }]);
    expect(device?.lastSeenAt).toBe(at(600));
  });

  it('given people labelling a device while workers record it, then neither undoes the other', async () => {
    const { store } = countedStore();
    await store.recordSightings([sighting('race-3', { temperature: [0, 1] })], NOW);
    await Promise.all([
      store.update('race-3', { name: 'Boiler', labels: { site: 'berlin' } }),
      store.recordSightings([sighting('race-3', { temperature: [120, 5] })], NOW),
    ]);
    expect(await store.get('race-3')).toMatchObject({
      name: 'Boiler',
      labels: { site: 'berlin' },
      latest: [{ metric: 'temperature', value: 5, timestamp: at(120) }],
    });
  });
});

describe('what a device costs', () => {
  it('given a device reporting every 10 s for 5 minutes, one batch each, then the worker writes it 5 times (once a minute) and reads it once', async () => {
    // Prepare
    const { store, sent } = countedStore();
    // Act
    for (let seconds = 0; seconds < 300; seconds += 10) {
      await store.recordSightings([sighting('steady', { temperature: [seconds, seconds] })], NOW);
    }
    // Assess: created at 0 s, then at 60, 120, 180, 240 s; 30 batches in all.
    expect(sent.filter((name) => name === 'UpdateCommand')).toHaveLength(5);
    expect(sent.filter((name) => name === 'BatchGetCommand')).toHaveLength(1);
    expect((await store.get('steady'))?.lastSeenAt).toBe(at(240));
  });
});

describe("what keeps a worker's labels fresh", () => {
  it('given labels changed and a device removed, then labelsChangedSince lists both from the time of the change, and a name change or a sighting is not a label change', async () => {
    // Prepare
    const { store } = countedStore();
    const since = Date.now();
    await store.recordSightings(
      ['feed-1', 'feed-2', 'feed-3'].map((id) => sighting(id, { temperature: [0, 1] })),
      NOW,
    );
    // Act
    await store.update('feed-1', { labels: { site: 'berlin' } });
    await store.update('feed-2', { name: 'Boiler 2' });
    await store.delete('feed-3');
    await store.recordSightings([sighting('feed-2', { temperature: [300, 2] })], NOW);
    // Assess
    const changes = await store.labelsChangedSince(since);
    expect(changes.map((change) => change.id)).toEqual(['feed-1', 'feed-3']);
    expect(changes.every((change) => change.changedAt >= since)).toBe(true);
    expect(await store.labelsChangedSince(Date.now() + 1000)).toEqual([]);
  });

  it('given a removed device, then it is in no read nor listing, cannot be labelled, and its next sighting brings it back new, with no labels', async () => {
    // Prepare
    const { store } = countedStore();
    await store.recordSightings([sighting('gone-1', { temperature: [0, 1] })], NOW);
    await store.update('gone-1', { name: 'Old', labels: { site: 'berlin' } });
    // Act
    expect(await store.delete('gone-1')).toBe(true);
    // Assess
    expect(await store.get('gone-1')).toBeNull();
    expect((await store.loadMany(['gone-1'])).size).toBe(0);
    const listed = await store.list(
      parseDeviceFilter({ search: 'gone-' }),
      pageRequest({ limit: 10 }, {}),
    );
    expect(listed.items).toEqual([]);
    expect(await store.update('gone-1', { labels: { site: 'paris' } })).toBeNull();
    expect(await store.delete('gone-1')).toBe(false);
    // A worker that remembers the device from before records its next reading.
    await store.recordSightings([sighting('gone-1', { temperature: [600, 3] })], NOW);
    const back = await store.get('gone-1');
    expect(back).toMatchObject({ name: null, labels: {}, firstSeenAt: at(600) });
  });

  it("given 200 devices sending every batch and no label changes, then after their first batch the worker's cache reads none of them again; a label change reads that one device", async () => {
    // Prepare: a worker's cache over its own counted store, its changes read about every
    // 500 ms. (A shorter time fails on a busy machine: a change read slower than half of it
    // lets the devices age, and they are read again, as they should be.)
    const { store, sent } = countedStore();
    const ids = Array.from({ length: 200 }, (_, i) => `busy-${i}`);
    await store.recordSightings(
      ids.map((id) => sighting(id, { temperature: [0, 1] })),
      NOW,
    );
    const cache = new DeviceCache(store, { maxAgeMs: 1_000 });
    await cache.loadMany(ids);
    sent.length = 0;
    // Act: 40 batches, 50 ms apart.
    for (let batch = 0; batch < 40; batch++) {
      await cache.loadMany(ids);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readsWithoutChanges = sent.filter((name) => name === 'BatchGetCommand').length;
    const feedReads = sent.filter((name) => name === 'QueryCommand').length;
    await store.update('busy-7', { labels: { site: 'paris' } });
    let relabelled = false;
    for (let batch = 0; batch < 80 && !relabelled; batch++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      relabelled = (await cache.loadMany(ids)).get('busy-7')?.labels.site === 'paris';
    }
    // Assess
    expect(readsWithoutChanges).toBe(0);
    expect(feedReads).toBeGreaterThan(0);
    expect(relabelled).toBe(true);
    expect(sent.filter((name) => name === 'BatchGetCommand')).toHaveLength(1);
  });
});

describe('listing a large fleet with a filter', () => {
  it('given 1,050 devices of which only the last matches, then one call reads at most 1,000 and returns a token that finds it', async () => {
    // Prepare
    const { store, sent } = countedStore();
    const ids = Array.from({ length: 1050 }, (_, i) => `big-${String(i).padStart(4, '0')}`);
    await store.recordSightings(
      ids.map((id) => sighting(id, { temperature: [0, 1] })),
      NOW,
    );
    await store.update('big-1049', { labels: { site: 'berlin' } });
    const filter = parseDeviceFilter({
      search: 'big-',
      labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
    });
    // Act
    sent.length = 0;
    const first = await store.list(filter, pageRequest({ limit: 10 }, { filter }));
    const read = sent.filter((name) => name === 'BatchGetCommand').length;
    const second = await store.list(
      filter,
      pageRequest({ limit: 10, nextToken: first.nextToken }, { filter }),
    );
    // Assess
    expect(first.items).toEqual([]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(read).toBeLessThanOrEqual(10);
    expect(second.items.map((device) => device.id)).toEqual(['big-1049']);
    expect(second.nextToken).toBeNull();
  });
});
