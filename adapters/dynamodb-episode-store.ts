import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type EpisodeState, newEpisode } from '../domain/episode.ts';
import { type EpisodeStore, episodeKey } from '../domain/ports.ts';
import { isConditionFailure } from './dynamodb-condition.ts';

/** DynamoDB returns at most 100 items per BatchGetItem call. */
const BATCH_GET_LIMIT = 100;

/**
 * Episodes keyed by rule and device. Every write is conditional on the version read, which
 * is what makes concurrent workers safe: the loser of a race reloads and redoes its step.
 */
export class DynamoDbEpisodeStore implements EpisodeStore {
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
          Item: { ...toItem(stored), writeId },
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
          UpdateExpression: 'SET outbox = :empty',
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
