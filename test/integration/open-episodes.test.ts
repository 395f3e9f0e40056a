import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEpisodeStore } from '../../adapters/dynamodb-episode-store.ts';
import { thresholdAlert } from '../../domain/alert.ts';
import { type EpisodeState, newEpisode } from '../../domain/episode.ts';
import { evaluateReadings } from '../../domain/evaluation.ts';
import { noMetrics } from '../../domain/metrics.ts';
import { OpenEpisodeCache, TrackedEpisodeStore } from '../../domain/open-episodes.ts';
import { RuleIndex } from '../../domain/rule-index.ts';
import { tables } from '../../infra/resources.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { reading, rule, t0 } from '../support/builders.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeMutes,
  FakeReadingStore,
  muteDeps,
} from '../support/fakes.ts';

// The episode store's index of episodes not at rest, against the DynamoDB emulator: what
// domain/open-episodes.ts relies on of it.

let emulators: ProvisionedEmulators;
let client: DynamoDBDocumentClient;
let store: DynamoDbEpisodeStore;
const table = tables.episodes.id;
const INDEX_STATE = { ruleId: '#open-index', deviceId: 'state' };

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  client = DynamoDBDocumentClient.from(emulators.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = new DynamoDbEpisodeStore(client, table);
}, 30_000);

afterAll(async () => {
  await emulators?.close();
});

function firing(ruleId: string, deviceId: string): EpisodeState {
  const alert = thresholdAlert(
    rule(ruleId),
    reading('r1', 75, 0, deviceId),
    75,
    new Date(t0).toISOString(),
  );
  return { ...newEpisode(ruleId, deviceId), open: alert };
}

const listed = async (since: number | null = null) =>
  (await store.openSince(since)).map(({ id, version }) => ({ id, version }));

/** Counts a client's requests by operation, with an SDK middleware (as bench/aws-counter.ts). */
function countRequests(client: DynamoDBClient): { counts: Map<string, number>; items: number } {
  const counted = { counts: new Map<string, number>(), items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const name = context.commandName ?? '?';
      counted.counts.set(name, (counted.counts.get(name) ?? 0) + 1);
      const output = result.output as { Items?: unknown[]; Responses?: Record<string, unknown[]> };
      counted.items += output.Items?.length ?? 0;
      for (const items of Object.values(output.Responses ?? {})) counted.items += items.length;
      return result;
    },
    { step: 'initialize', name: 'openEpisodesRequestCounter' },
  );
  return counted;
}

// First: the overlap of a refresh would read the stamps of the tests after it.
describe('a worker with the open episodes known, against the DynamoDB emulator', () => {
  it('given healthy readings of 1,000 plain rules, then no episode is read and a refresh of the index reads its 8 shards and no item; an alert another worker fires is read from it', async () => {
    const counted = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: emulators.dynamodbUrl,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const requests = countRequests(counted);
    const episodes = new DynamoDbEpisodeStore(
      DynamoDBDocumentClient.from(counted, { marshallOptions: { removeUndefinedValues: true } }),
      table,
    );
    let clock = Date.now();
    const open = new OpenEpisodeCache(episodes, { maxAgeMs: 1_000, now: () => clock });
    const rules = Array.from({ length: 1_000 }, (_, k) =>
      rule(`plain-${k}`, { deviceId: `P${k}` }),
    );
    const index = new RuleIndex(rules);
    const deps = {
      readings: new FakeReadingStore(),
      rules: async () => index,
      devices: { loadMany: async () => new Map(), recordSightings: async () => {} },
      episodes: new TrackedEpisodeStore(episodes, open.known),
      openEpisodes: () => open.current(),
      alerts: new FakeAlertStore(),
      notifier: new FakeChannel(),
      publisher: new FakeChannel(),
      now: () => clock,
      sleep: async () => {},
      firingWindowMs: 60_000,
      deliveryLeaseMs: 60_000,
      ...muteDeps(new FakeMutes()),
      metrics: noMetrics,
    };
    const healthy = (n: number) => rules.map((_, k) => reading(`h${n}-${k}`, 20, n, `P${k}`));

    // The cold start reads the index whole (its 8 shards) and whether it is complete.
    await evaluateReadings(healthy(1), deps);
    expect(requests.counts.get('BatchGetItemCommand')).toBeUndefined();
    expect(requests.counts.get('QueryCommand')).toBe(8);

    // Busy, nothing moving: a refresh reads the tail of each shard, and finds nothing.
    requests.counts.clear();
    requests.items = 0;
    clock += 1_000;
    await evaluateReadings(healthy(2), deps);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Object.fromEntries(requests.counts)).toEqual({ QueryCommand: 8 });
    expect(requests.items).toBe(0);

    // Another worker (its own store) fires plain-7's alert on P7: the next refresh reads it,
    // and P7's next healthy reading is read for, and resolves it.
    await store.save(firing('plain-7', 'P7'), 0);
    requests.counts.clear();
    requests.items = 0;
    clock += 1_000;
    await open.current();
    expect(requests.items).toBe(1);
    await evaluateReadings([reading('resolve-7', 20, 3, 'P7')], deps);
    expect(requests.counts.get('BatchGetItemCommand')).toBe(1);
    expect(
      (await episodes.loadMany([{ ruleId: 'plain-7', deviceId: 'P7' }])).get('plain-7#P7')?.open,
    ).toBeNull();
  });
});

describe('DynamoDbEpisodeStore: the index of open episodes', () => {
  it('given a new table, then its index is complete (nothing was stored before it)', async () => {
    expect(await store.openIndexComplete()).toBe(true);
  });

  it('given an episode stored open, then resolved, then delivered, then it is listed until it is at rest', async () => {
    const before = Date.now();
    const opened = await store.save(firing('hot', 'D1'), 0);
    expect(await listed()).toContainEqual({ id: 'hot#D1', version: 1 });
    expect(await listed(before)).toContainEqual({ id: 'hot#D1', version: 1 });
    expect(await listed(Date.now() + 60_000)).toEqual([]);
    // Resolved, its RESOLVED notification not yet delivered: still listed, as filed when it
    // left rest (not written again in the index).
    const filedAs = (await store.openSince(null)).find(({ id }) => id === 'hot#D1');
    const notification = { key: 'RESOLVED@x', kind: 'RESOLVED' as const, alert: opened!.open! };
    const resolved = await store.save({ ...opened!, open: null, outbox: [notification] }, 1);
    expect((await store.openSince(null)).find(({ id }) => id === 'hot#D1')).toEqual(filedAs);
    expect(filedAs?.version).toBe(1);
    await store.clearOutbox(resolved!);
    expect((await listed()).map(({ id }) => id)).not.toContain('hot#D1');
  });

  it('given an episode stored at rest, then it is never listed', async () => {
    await store.save({ ...newEpisode('calm', 'D1'), lastAt: new Date(t0).toISOString() }, 0);
    expect((await listed()).map(({ id }) => id)).not.toContain('calm#D1');
  });

  it('given episodes stored before the index (an upgrade), then it is not complete until they are filed, and they are listed after', async () => {
    const legacy = { ...firing('old', 'D7'), version: 4, window: '[]' };
    await client.send(new PutCommand({ TableName: table, Item: legacy }));
    await client.send(
      new PutCommand({
        TableName: table,
        Item: { ...newEpisode('old', 'D8'), version: 2, window: '[]' },
      }),
    );
    await client.send(new DeleteCommand({ TableName: table, Key: INDEX_STATE }));
    expect(await store.openIndexComplete()).toBe(false);
    expect((await listed()).map(({ id }) => id)).not.toContain('old#D7');
    // The first pass files only the episode not at rest; the index state item is no episode.
    const settling = { budgetMs: 30_000, settleMs: 60_000 };
    expect(await store.fileUnfiled(settling)).toBe(1);
    expect(await listed()).toContainEqual({ id: 'old#D7', version: 4 });
    expect((await listed()).map(({ id }) => id)).not.toContain('old#D8');
    expect(await store.listForRule('old')).toHaveLength(2);
    // A worker of the version before writes an episode open, unfiled, after the first pass:
    // the second pass waits for those workers to be gone, then files it.
    await client.send(
      new PutCommand({
        TableName: table,
        Item: { ...firing('old', 'D9'), version: 3, window: '[]' },
      }),
    );
    expect(await store.fileUnfiled(settling)).toBe(0);
    expect(await store.openIndexComplete()).toBe(false);
    // A quarter of an hour later (the state's time moved back here):
    const settled = { budgetMs: 30_000, settleMs: 0 };
    await client.send(
      new PutCommand({
        TableName: table,
        Item: { ...INDEX_STATE, complete: false, pass: 2, notBefore: Date.now() - 1 },
      }),
    );
    expect(await store.fileUnfiled(settled)).toBe(1);
    expect(await store.openIndexComplete()).toBe(true);
    expect(await listed()).toContainEqual({ id: 'old#D9', version: 3 });
    // Complete: a later run has nothing to do.
    expect(await store.fileUnfiled(settled)).toBe(0);
  });
});
