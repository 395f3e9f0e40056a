import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRuleStore } from '../../adapters/dynamodb-rule-store.ts';
import { RuleCache } from '../../domain/rule-cache.ts';
import { applyRuleUpdate, newRule, type Rule } from '../../domain/rule.ts';
import { tables } from '../../infra/resources.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  queueDrained,
  ruleChangesApplied,
  startTestStack,
  stackApi,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

/** Rules stored before the refreshes are counted. */
const STORED = 1000;
/** The cache's max age here: a wait this long makes the next call refresh. */
const MAX_AGE_MS = 100;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * Counts what a DynamoDB client reads, with an SDK middleware at the finalizeRequest step
 * (as bench/aws-counter.ts does, so a retry counts): requests, and the items each one read
 * (ScannedCount: what DynamoDB bills, filtered or not).
 */
class ReadCounter {
  requests = 0;
  items = 0;

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { ScannedCount?: number; Items?: unknown[] };
        this.requests += 1;
        this.items += output.ScannedCount ?? output.Items?.length ?? 0;
        return result;
      },
      { step: 'finalizeRequest', name: 'ruleRefreshReadCounter' },
    );
  }

  reset(): void {
    this.requests = 0;
    this.items = 0;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rule refresh', () => {
  it('given many rules stored, when one rule changes, then a refresh reads that change and not every rule', async () => {
    // Prepare: a store on its own counted client, and many rules in the stack's table.
    const client = new DynamoDBClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.DynamoDbEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const counter = new ReadCounter(client);
    const store = new DynamoDbRuleStore(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      tables.rules.id,
    );
    const stored: Rule[] = Array.from({ length: STORED }, (_, i) =>
      newRule(
        { deviceId: `refresh-${i}`, metric: 'pressure', operator: 'GT', threshold: 5 },
        `refresh-rule-${i}`,
        new Date().toISOString(),
      ),
    );
    // Stored a while ago: their change stamps are older than any refresh's overlap.
    const earlier = new DynamoDbRuleStore(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      tables.rules.id,
      () => Date.now() - 10 * 60_000,
    );
    for (let i = 0; i < stored.length; i += 50) {
      await Promise.all(stored.slice(i, i + 50).map((rule) => earlier.create(rule)));
    }
    const cache = new RuleCache(store, { maxAgeMs: MAX_AGE_MS });
    const refreshed = async () => {
      await pause(MAX_AGE_MS);
      counter.reset();
      return cache.current();
    };

    // Act and assert: the cold start reads every rule.
    counter.reset();
    const index = await cache.current();
    expect(counter.items).toBeGreaterThanOrEqual(STORED);
    expect(index.matching('refresh-7', 'pressure').map((r) => r.id)).toEqual(['refresh-rule-7']);

    // Nothing changed: one query, no item.
    await refreshed();
    expect({ requests: counter.requests, items: counter.items }).toEqual({ requests: 1, items: 0 });

    // One rule changed: one query, that one item.
    const changed = stored[7] as Rule;
    await store.replace(applyRuleUpdate(changed, { threshold: 9 }, new Date().toISOString()));
    expect(await refreshed()).toBe(index);
    expect({ requests: counter.requests, items: counter.items }).toEqual({ requests: 1, items: 1 });
    expect(index.get(changed.id)?.threshold).toBe(9);

    // One rule deleted: its tombstone, and the change before it still in the overlap.
    await store.delete('refresh-rule-8');
    await refreshed();
    expect(counter.requests).toBe(1);
    expect(counter.items).toBeLessThanOrEqual(2);
    expect(index.matching('refresh-8', 'pressure')).toEqual([]);

    // One rule disabled and one created: read as such, still a handful of items.
    const disabled = stored[9] as Rule;
    await store.replace(applyRuleUpdate(disabled, { enabled: false }, new Date().toISOString()));
    const created = newRule(
      { deviceId: 'refresh-new', metric: 'pressure', operator: 'LT', threshold: 1 },
      'refresh-rule-new',
      new Date().toISOString(),
    );
    await store.create(created);
    await refreshed();
    expect(counter.items).toBeLessThanOrEqual(4);
    expect(index.matching('refresh-9', 'pressure')).toEqual([]);
    expect(index.matching('refresh-new', 'pressure').map((r) => r.id)).toEqual([created.id]);
    client.destroy();
  });

  describe('through the API and the worker', () => {
    const api = stackApi(() => stack);
    let second = 0;
    const start = Date.now() - 60_000;

    async function mutate(query: string, variables: Record<string, unknown>) {
      const result = await api<Record<string, { id?: string }>>(query, variables);
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data;
    }

    const createRule = async (deviceId: string, threshold = 60) =>
      (
        await mutate('mutation($input: CreateRuleInput!) { createRule(input: $input) { id } }', {
          input: { deviceId, metric: 'temperature', operator: 'GT', threshold },
        })
      ).createRule?.id as string;

    async function send(deviceId: string, value: number) {
      const result = await api<{ ingestEvent: { id: string } }>(
        'mutation($input: EventInput!) { ingestEvent(input: $input) { id } }',
        {
          input: {
            deviceId,
            metric: 'temperature',
            value,
            timestamp: new Date(start + ++second * 10).toISOString(),
          },
        },
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    }

    async function alertsOf(deviceId: string): Promise<{ ruleId: string; status: string }[]> {
      const result = await api<{ alerts: { items: { ruleId: string; status: string }[] } }>(
        'query($d: ID) { alerts(deviceId: $d) { items { ruleId status } } }',
        { d: deviceId },
      );
      return result.data?.alerts.items ?? [];
    }

    it('given a rule created, then a reading sent once the refresh time has passed fires it', async () => {
      const ruleId = await createRule('refresh-created');
      await ruleChangesApplied();
      await send('refresh-created', 70);
      await waitFor(async () => (await alertsOf('refresh-created')).length === 1, 'the alert');
      expect(await alertsOf('refresh-created')).toEqual([{ ruleId, status: 'FIRING' }]);
    });

    it('given a rule updated, then readings are judged by its new threshold once the refresh time has passed', async () => {
      const ruleId = await createRule('refresh-updated', 100);
      await ruleChangesApplied();
      await mutate('mutation($id: ID!) { updateRule(id: $id, input: { threshold: 60 }) { id } }', {
        id: ruleId,
      });
      await ruleChangesApplied();
      await send('refresh-updated', 70);
      await waitFor(async () => (await alertsOf('refresh-updated')).length === 1, 'the alert');
      expect(await alertsOf('refresh-updated')).toEqual([{ ruleId, status: 'FIRING' }]);
    });

    it.each([
      ['disabled', 'mutation($id: ID!) { setRuleEnabled(id: $id, enabled: false) { id } }'],
      ['deleted', 'mutation($id: ID!) { deleteRule(id: $id) { id } }'],
    ])(
      'given a firing rule %s, then a reading sent once the refresh time has passed fires nothing new',
      async (how, mutation) => {
        const device = `refresh-${how}`;
        const ruleId = await createRule(device);
        await ruleChangesApplied();
        await send(device, 70);
        await waitFor(async () => (await alertsOf(device)).length === 1, 'the alert');
        await mutate(mutation, { id: ruleId });
        await waitFor(
          async () => (await alertsOf(device))[0]?.status === 'RESOLVED',
          'the alert resolved',
        );
        await ruleChangesApplied();
        await send(device, 75);
        await queueDrained(stack);
        expect(await alertsOf(device)).toEqual([{ ruleId, status: 'RESOLVED' }]);
      },
    );
  });
});
