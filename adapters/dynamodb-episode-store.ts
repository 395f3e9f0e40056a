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
 * Where the filing of episodes stored before the `open` index stands: a first pass over the
 * table (`startedAt`), then a second from `notBefore`, for what the version before wrote
 * meanwhile (its workers still running while the deployment went on), then `complete`.
 * `resumeFrom` is the next page of the pass under way.
 */
interface IndexState {
  complete?: boolean;
  pass?: 1 | 2;
  startedAt?: number;
  notBefore?: number;
  resumeFrom?: Record<string, unknown>;
}

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
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ruleId: stored.ruleId, deviceId: stored.deviceId },
          ...writeOf(stored, writeId, expectedVersion),
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
            ? 'SET outbox = :empty REMOVE openShard, openKey, openVersion'
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
    return (await this.#indexState()).complete === true;
  }

  /** Where the filing of the episodes stored before the `open` index stands. */
  async #indexState(): Promise<IndexState> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: INDEX_STATE_KEY, ConsistentRead: true }),
    );
    return (result.Item ?? {}) as IndexState;
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
            version: item.openVersion as number,
            changedAt: changedAtOf(item.openKey as string),
          }),
        ),
      ),
    );
    return shards.flat();
  }

  async fileUnfiled(options: { budgetMs: number; settleMs: number }): Promise<number> {
    const began = Date.now();
    const state = await this.#indexState();
    if (state.complete === true) return 0;
    const pass = state.pass ?? 1;
    // The second pass waits for the writers of the version before to be gone.
    if (pass === 2 && !state.resumeFrom && began < (state.notBefore ?? 0)) return 0;
    const startedAt = state.startedAt ?? began;
    let startKey = state.resumeFrom;
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
      // Where the next run resumes, should this one stop (its budget, or a timeout).
      const next: IndexState = startKey
        ? { pass, startedAt, resumeFrom: startKey }
        : pass === 1
          ? { pass: 2, notBefore: startedAt + options.settleMs }
          : { complete: true };
      await this.#client.send(
        new PutCommand({ TableName: this.#tableName, Item: { ...INDEX_STATE_KEY, ...next } }),
      );
    } while (startKey && Date.now() - began < options.budgetMs);
    return filed;
  }

  /** Files one episode stored before the index; false if it moved on (its write filed it). */
  async #file(episode: EpisodeState): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { ruleId: episode.ruleId, deviceId: episode.deviceId },
          UpdateExpression: 'SET openShard = :shard, openKey = :key, openVersion = :openVersion',
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

/**
 * The update that stores `state` whole, if the stored version is still `expectedVersion`
 * (or none is stored, for 0), and files it in the `open` index: an episode at rest leaves the
 * index; one that is not keeps the filing it has, or is filed now (stamped with this time and
 * its version) when it leaves rest, so the index is written when an episode leaves rest and
 * when it comes back, not by each step in between (a firing alert's repeats, 20 readings of
 * flapping history after each change).
 */
function writeOf(state: EpisodeState, writeId: string, expectedVersion: number) {
  const item: Record<string, unknown> = { ...toItem(state), writeId };
  const fields = Object.entries(item).filter(([name]) => name !== 'ruleId' && name !== 'deviceId');
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = {};
  const sets = fields.map(([name, value], n) => {
    names[`#a${n}`] = name;
    values[`:a${n}`] = value;
    return `#a${n} = :a${n}`;
  });
  let remove = '';
  if (isAtRest(state)) remove = ' REMOVE openShard, openKey, openVersion';
  else {
    Object.assign(values, filingValues(state));
    sets.push(
      'openShard = if_not_exists(openShard, :shard)',
      'openKey = if_not_exists(openKey, :key)',
      'openVersion = if_not_exists(openVersion, :openVersion)',
    );
  }
  if (expectedVersion !== 0) values[':expected'] = expectedVersion;
  return {
    UpdateExpression: `SET ${sets.join(', ')}${remove}`,
    ConditionExpression:
      expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The `open` index's attributes of an episode filed now. */
function filingValues(state: EpisodeState): {
  ':shard': string;
  ':key': string;
  ':openVersion': number;
} {
  return {
    ':shard': openEpisodeShard(state.ruleId, state.deviceId),
    ':key': changeMarker(episodeKey(state.ruleId, state.deviceId), Date.now()),
    ':openVersion': state.version,
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
