import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEpisodeStore } from '../../adapters/dynamodb-episode-store.ts';
import { thresholdAlert } from '../../domain/alert.ts';
import { type EpisodeState, newEpisode } from '../../domain/episode.ts';
import { tables } from '../../infra/resources.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { reading, rule, t0 } from '../support/builders.ts';

// The episode store's index of episodes not at rest, against the DynamoDB emulator: what
// domain/open-episodes.ts relies on of it.

let emulators: ProvisionedEmulators;
let client: DynamoDBDocumentClient;
let store: DynamoDbEpisodeStore;
const table = tables.episodes.id;

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
    // Resolved, its RESOLVED notification not yet delivered: still listed, at its version.
    const notification = { key: 'RESOLVED@x', kind: 'RESOLVED' as const, alert: opened!.open! };
    const resolved = await store.save({ ...opened!, open: null, outbox: [notification] }, 1);
    expect(await listed()).toContainEqual({ id: 'hot#D1', version: 2 });
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
    await client.send(
      new DeleteCommand({ TableName: table, Key: { ruleId: '#open-index', deviceId: 'state' } }),
    );
    expect(await store.openIndexComplete()).toBe(false);
    expect((await listed()).map(({ id }) => id)).not.toContain('old#D7');
    // Only the episode not at rest is filed; the index state item is not an episode.
    expect(await store.fileUnfiled()).toBe(1);
    expect(await store.openIndexComplete()).toBe(true);
    expect(await listed()).toContainEqual({ id: 'old#D7', version: 4 });
    expect((await listed()).map(({ id }) => id)).not.toContain('old#D8');
    expect(await store.listForRule('old')).toHaveLength(2);
    // Filed once: a second run has nothing to do.
    expect(await store.fileUnfiled()).toBe(0);
  });
});
