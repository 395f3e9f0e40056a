import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type EpisodeState, newEpisode } from '../domain/episode.ts';
import {
  isAtRest,
  type OpenEpisodeChange,
  type OpenEpisodeFeed,
  openEpisodeShard,
  openEpisodeShards,
} from '../domain/open-episodes.ts';
import { type EpisodeStore, episodeKey } from '../domain/ports.ts';
import { tables } from '../infra/resources.ts';
import { changedAtOf, changeMarker, queryChangeFeed } from './dynamodb-change-feed.ts';
import { isConditionFailure } from './dynamodb-condition.ts';

const [openIndex] = tables.episodes.globalSecondaryIndexes;

/**
 * The item that says whether the `open` index is complete, and where the filing of the
 * episodes stored before it stopped. No rule id starts with `#`.
 */
const INDEX_STATE_KEY = { ruleId: '#open-index', deviceId: 'state' } as const;

/**
 * Marks a new, empty table's `open` index complete: there is nothing stored before it to
 * file (the local stack's provisioning of a new table; in AWS the scheduled check's first
 * run finds nothing to file and marks it).
 */
export async function markOpenIndexComplete(
  client: DynamoDBClient,
  tableName: string,
): Promise<void> {
  await DynamoDBDocumentClient.from(client).send(
    new PutCommand({ TableName: tableName, Item: { ...INDEX_STATE_KEY, complete: true } }),
  );
}

/** DynamoDB returns at most 100 items per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;

/**
 * Episodes keyed by rule and device. Every write is conditional on the version read, which
 * is what makes concurrent workers safe: the loser of a race reloads and redoes its step.
 */
export class DynamoDbEpisodeStore implements EpisodeStore, OpenEpisodeFeed {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async loadMany(
    keys: readonly { ruleId: string; deviceId: string }[],
  ): Promise<Map<string, EpisodeState>> {
    const states = new Map<string, EpisodeState>();
    for (const { ruleId, deviceId } of keys) {
      states.set(episodeKey(ruleId, deviceId), newEpisode(ruleId, deviceId));
    }
    const unique = [...new Map(keys.map((k) => [episodeKey(k.ruleId, k.deviceId), k])).values()];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map(({ ruleId, deviceId }) => ({ ruleId, deviceId }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`DynamoDB left ${pending.length} reads unprocessed`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const result = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? []) {
          const state = toState(item);
          states.set(episodeKey(state.ruleId, state.deviceId), state);
        }
        pending = (result.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as Record<
          string,
          unknown
        >[];
      }
    }
    return states;
  }

  async save(state: EpisodeState, expectedVersion: number): Promise<EpisodeState | null> {
    const stored = { ...state, version: expectedVersion + 1 };
    // Each write carries its own id: if its response is lost and the SDK's retry is refused
    // (the first attempt moved the version), the item read back tells whether it is ours.
    const writeId = randomUUID();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...toItem(stored), ...filing(stored), writeId },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(ruleId)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return stored;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { ruleId: state.ruleId, deviceId: state.deviceId },
          ConsistentRead: true,
        }),
      );
      return current.Item?.writeId === writeId ? stored : null;
    }
  }

  async clearOutbox(state: EpisodeState): Promise<void> {
    if (state.outbox.length === 0) return;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ruleId: state.ruleId, deviceId: state.deviceId },
          // Delivered, an episode with nothing else open is at rest: out of the index.
          UpdateExpression: isAtRest({ ...state, outbox: [] })
            ? 'SET outbox = :empty REMOVE openShard, openKey'
            : 'SET outbox = :empty',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':empty': [], ':version': state.version },
        }),
      );
    } catch (error) {
      // Moved on meanwhile: the newer state carries the outbox, and its delivery marks
      // keep the notifications from being sent twice.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async listForRule(ruleId: string): Promise<EpisodeState[]> {
    const states: EpisodeState[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'ruleId = :ruleId',
          ExpressionAttributeValues: { ':ruleId': ruleId },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) states.push(toState(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return states;
  }

  async openIndexComplete(): Promise<boolean> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: INDEX_STATE_KEY, ConsistentRead: true }),
    );
    return result.Item?.complete === true;
  }

  async openSince(since: number | null): Promise<OpenEpisodeChange[]> {
    const shards = await Promise.all(
      openEpisodeShards.map((partition) =>
        queryChangeFeed(
          this.#client,
          { tableName: this.#tableName, index: openIndex, partition },
          since ?? 0,
          (item): OpenEpisodeChange => ({
            id: episodeKey(item.ruleId as string, item.deviceId as string),
            ruleId: item.ruleId as string,
            deviceId: item.deviceId as string,
            version: item.version as number,
            changedAt: changedAtOf(item.openKey as string),
          }),
        ),
      ),
    );
    return shards.flat();
  }

  async fileUnfiled(): Promise<number> {
    const state = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: INDEX_STATE_KEY, ConsistentRead: true }),
    );
    if (state.Item?.complete === true) return 0;
    let startKey = state.Item?.resumeFrom as Record<string, unknown> | undefined;
    let filed = 0;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          FilterExpression: 'attribute_not_exists(openShard)',
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        if ((item.ruleId as string).startsWith('#')) continue;
        const episode = toState(item);
        if (isAtRest(episode) || !(await this.#file(episode))) continue;
        filed++;
      }
      startKey = page.LastEvaluatedKey;
      // Where the next run resumes, should this one stop (a function's timeout).
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: startKey
            ? { ...INDEX_STATE_KEY, complete: false, resumeFrom: startKey }
            : { ...INDEX_STATE_KEY, complete: true },
        }),
      );
    } while (startKey);
    return filed;
  }

  /** Files one episode stored before the index; false if it moved on (its write filed it). */
  async #file(episode: EpisodeState): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ruleId: episode.ruleId, deviceId: episode.deviceId },
          UpdateExpression: 'SET openShard = :shard, openKey = :key',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ...filingValues(episode), ':version': episode.version },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}

/** The `open` index's keys of an episode not at rest, stamped now; none for one at rest. */
function filing(state: EpisodeState): { openShard?: string; openKey?: string } {
  if (isAtRest(state)) return {};
  const values = filingValues(state);
  return { openShard: values[':shard'], openKey: values[':key'] };
}

function filingValues(state: EpisodeState): { ':shard': string; ':key': string } {
  return {
    ':shard': openEpisodeShard(state.ruleId, state.deviceId),
    ':key': changeMarker(episodeKey(state.ruleId, state.deviceId), Date.now()),
  };
}

function toItem(state: EpisodeState): Record<string, unknown> {
  // The window is kept compact: one string instead of a list of maps.
  const { window, ...rest } = state;
  return { ...rest, window: JSON.stringify(window.map(({ t, v }) => [t, v])) };
}

function toState(item: Record<string, unknown>): EpisodeState {
  const window = JSON.parse((item.window as string | undefined) ?? '[]') as [number, number][];
  return {
    ruleId: item.ruleId as string,
    deviceId: item.deviceId as string,
    consecutive: (item.consecutive as number | undefined) ?? 0,
    lastAt: (item.lastAt as string | null | undefined) ?? null,
    lastId: (item.lastId as string | null | undefined) ?? null,
    window: window.map(([t, v]) => ({ t, v })),
    open: (item.open as EpisodeState['open'] | undefined) ?? null,
    noData: (item.noData as EpisodeState['noData'] | undefined) ?? null,
    // Episodes stored before flap detection have no history.
    flapHistory: (item.flapHistory as number | undefined) ?? 0,
    flapping: (item.flapping as boolean | undefined) ?? false,
    lastResolved: (item.lastResolved as EpisodeState['lastResolved'] | undefined) ?? null,
    outbox: (item.outbox as EpisodeState['outbox'] | undefined) ?? [],
    version: item.version as number,
  };
}
