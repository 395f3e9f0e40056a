import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlertStore } from '../../adapters/dynamodb-alert-store.ts';
import { DynamoDbCredentialStore } from '../../adapters/dynamodb-credential-store.ts';
import { DynamoDbReadingStore } from '../../adapters/dynamodb-reading-store.ts';
import { DynamoDbRuleStore } from '../../adapters/dynamodb-rule-store.ts';
import { SqsEvaluationQueue } from '../../adapters/sqs-evaluation-queue.ts';
import { thresholdAlert } from '../../domain/alert.ts';
import { issueDeviceCredential } from '../../domain/device-credential.ts';
import type { AlertQuery, HeldAlert } from '../../domain/ports.ts';
import { DynamoDbEpisodeStore } from '../../adapters/dynamodb-episode-store.ts';
import { pageRequest } from '../../domain/pagination.ts';
import type { Reading } from '../../domain/reading.ts';
import { applyRuleUpdate, newRule } from '../../domain/rule.ts';
import { type SqsHandler, startEventSourceMapping } from '../../local/event-source-mapping.ts';
import type { ProvisionedResources } from '../../local/provision.ts';
import { tables } from '../../infra/resources.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { waitFor } from '../support/wait-for.ts';

let emulators: ProvisionedEmulators;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;
let resources: ProvisionedResources;

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  documents = DynamoDBDocumentClient.from(emulators.dynamodb);
  ({ sqs, resources } = emulators);
});

afterAll(async () => {
  await emulators?.close();
});

const reading = (id: string, minute: number, overrides: Partial<Reading> = {}): Reading => ({
  id,
  deviceId: 'D1',
  metric: 'temperature',
  value: minute,
  timestamp: `2026-05-01T12:${String(minute).padStart(2, '0')}:00.000Z`,
  ...overrides,
});

/** The local event source mapping on the evaluation queue: batches of 10, a 1 s timeout. */
function startTestMapping(handler: SqsHandler, concurrency: number) {
  return startEventSourceMapping({
    sqs,
    queueUrl: resources.evaluationQueueUrl,
    queueArn: resources.evaluationQueueArn,
    region: 'us-east-1',
    handler,
    functionName: 'test',
    batchSize: 10,
    maxBatchingWindowMs: 0,
    timeoutMs: 1000,
    concurrency,
    onError: () => undefined,
  });
}

describe('DynamoDbReadingStore', () => {
  it('given readings saved (one twice), then they list once each, newest first, across pages', async () => {
    const store = new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90);
    await store.saveMany([reading('a', 1), reading('b', 2), reading('c', 3), reading('b', 2)]);
    await store.saveMany([reading('x', 4, { deviceId: 'D2' })]);
    const query = { deviceId: 'D1', metric: null, from: null, to: null };
    const first = await store.list(query, pageRequest({ limit: 2 }, query));
    expect(first.items.map((r) => r.id)).toEqual(['c', 'b']);
    const second = await store.list(
      query,
      pageRequest({ limit: 2, nextToken: first.nextToken }, query),
    );
    expect(second.items.map((r) => r.id)).toEqual(['a']);
  });

  it('given a metric and a time range, then only those readings are listed', async () => {
    const store = new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90);
    await store.saveMany([reading('h1', 5, { metric: 'humidity' })]);
    const query = {
      deviceId: 'D1',
      metric: 'temperature',
      from: '2026-05-01T12:02:00.000Z',
      to: '2026-05-01T12:03:00.000Z',
    };
    const page = await store.list(query, pageRequest({}, query));
    expect(page.items.map((r) => r.id)).toEqual(['c', 'b']);
    expect(page.nextToken).toBeNull();
  });

  it("given a forged token positioned in another device's data, then the query is refused", async () => {
    const store = new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90);
    const query = { deviceId: 'D1', metric: null, from: null, to: null };
    const page = pageRequest({}, query);
    const forged = {
      ...page,
      after: { deviceId: 'D2', id: 'x', timeKey: '2026-05-01T12:04:00.000Z#x' },
    };
    await expect(store.list(query, forged)).rejects.toThrow(/nextToken/);
  });
});

describe('DynamoDbReadingStore blocks', () => {
  const store = (blocksPerQuery?: number) =>
    new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90, blocksPerQuery);
  const at = (device: string, id: string, second: number, metric = 'pressure'): Reading => ({
    id,
    deviceId: device,
    metric,
    value: second,
    timestamp: new Date(Date.UTC(2026, 4, 2, 8, 0, second)).toISOString(),
  });
  const all = async (
    query: Parameters<DynamoDbReadingStore['list']>[0],
    limit: number,
    blocksPerQuery?: number,
  ) => {
    const ids: string[] = [];
    let token: string | null = null;
    do {
      const page = await store(blocksPerQuery).list(
        query,
        pageRequest({ limit, nextToken: token }, query),
      );
      ids.push(...page.items.map((r) => r.id));
      token = page.nextToken;
    } while (token);
    return ids;
  };
  const itemsOf = async (device: string) =>
    (
      await documents.send(
        new QueryCommand({
          TableName: resources.tableNames.readingBlocks,
          KeyConditionExpression: 'deviceId = :d',
          ExpressionAttributeValues: { ':d': device },
        }),
      )
    ).Items ?? [];

  it('given one batch of 40 readings of a device and metric, then they are written as one item', async () => {
    // Act
    await store().saveMany(Array.from({ length: 40 }, (_, i) => at('B1', `r${i}`, i)));

    // Assess
    const items = await itemsOf('B1');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ count: 40, metric: 'pressure' });
  });

  it('given batches whose times interleave, then every page size lists them in strict newest-first order', async () => {
    // Prepare: three saves, as three worker batches whose readings overlap in time
    await store().saveMany([0, 3, 6, 9, 12].map((s) => at('B2', `a${s}`, s)));
    await store().saveMany([1, 4, 7, 10, 13].map((s) => at('B2', `b${s}`, s)));
    await store().saveMany([2, 5, 8, 11, 14].map((s) => at('B2', `c${s}`, s)));
    const query = { deviceId: 'B2', metric: null, from: null, to: null };
    const expected = Array.from({ length: 15 }, (_, s) => `${'abc'[s % 3]}${s}`).reverse();

    // Act and assess: whole pages of blocks, and blocks read one at a time
    for (const limit of [1, 2, 4, 7, 15, 50]) {
      expect(await all(query, limit)).toEqual(expected);
      expect(await all(query, limit, 1)).toEqual(expected);
    }
  });

  it('given a retry of readings landing in another block (same id and time), then each is listed once', async () => {
    // Prepare
    await store().saveMany([at('B3', 'x', 1), at('B3', 'y', 2)]);
    await store().saveMany([at('B3', 'y', 2), at('B3', 'z', 3)]);
    await store().saveMany([at('B3', 'x', 1), at('B3', 'y', 2)]);

    // Assess: the repeated batch wrote the same item; the overlapping one is merged
    expect(await itemsOf('B3')).toHaveLength(2);
    for (const limit of [1, 2, 10]) {
      expect(await all({ deviceId: 'B3', metric: null, from: null, to: null }, limit)).toEqual([
        'z',
        'y',
        'x',
      ]);
    }
  });

  it('given readings of two metrics over more than a block span, then metric and time filters list exactly the matching ones', async () => {
    // Prepare: 3 hours of one reading a minute per metric, in one save
    const minutes = Array.from({ length: 180 }, (_, i) => i);
    const reading = (metric: string, minute: number): Reading => ({
      id: `${metric}-${minute}`,
      deviceId: 'B4',
      metric,
      value: minute,
      timestamp: new Date(Date.UTC(2026, 4, 3, 0, minute)).toISOString(),
    });
    await store().saveMany(minutes.flatMap((m) => [reading('rpm', m), reading('heat', m)]));
    const query = {
      deviceId: 'B4',
      metric: 'heat',
      from: new Date(Date.UTC(2026, 4, 3, 0, 50)).toISOString(),
      to: new Date(Date.UTC(2026, 4, 3, 2, 10)).toISOString(),
    };

    // Act
    const ids = await all(query, 30, 2);

    // Assess: 80 readings, minute 130 down to 50
    expect(ids).toEqual(
      minutes
        .filter((m) => m >= 50 && m <= 130)
        .reverse()
        .map((m) => `heat-${m}`),
    );
    expect((await itemsOf('B4')).length).toBeGreaterThanOrEqual(6);
  });
});

describe("DynamoDbReadingStore oldestFirst (a replay's read)", () => {
  const at = (id: string, minute: number, metric = 'flow'): Reading => ({
    id,
    deviceId: 'R1',
    metric,
    value: minute,
    timestamp: new Date(Date.UTC(2026, 4, 3, 8, minute)).toISOString(),
  });

  it('given batches stored out of order, overlapping, with copies and another metric, then the range comes oldest first, each reading once', async () => {
    // Prepare: three worker batches, the second older than the first, one a copy.
    const store = new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90);
    await store.saveMany([at('c', 30), at('e', 150), at('x', 31, 'other')]);
    await store.saveMany([at('a', 10), at('b', 20), at('d', 40), at('f', 300)]);
    await store.saveMany([at('a', 10), at('b', 20)].map((r) => ({ ...r })).concat(at('z', 5)));

    // Act
    const chunks: string[][] = [];
    for await (const chunk of store.oldestFirst({
      deviceId: 'R1',
      metric: 'flow',
      from: at('', 10).timestamp,
      to: at('', 150).timestamp,
    })) {
      chunks.push(chunk.map((r) => r.id));
    }

    // Assess
    expect(chunks.flat()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('DynamoDbReadingStore tokens', () => {
  const store = () => new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90);
  const query = { deviceId: 'D1', metric: null, from: null, to: null };
  const at = '2026-05-01T12:03:00.000Z';

  it.each([
    [
      'a time not written as readings store it',
      { timestamp: '2026-05-01T12:03:00Z', id: 'c', metric: 'temperature' },
    ],
    ['a date without a time', { timestamp: '2026-05-01', id: 'c', metric: 'temperature' }],
    [
      'a far-future time',
      { timestamp: '+010000-01-01T00:00:00.000Z', id: 'c', metric: 'temperature' },
    ],
    ['no metric', { timestamp: at, id: 'c' }],
    ['an extra key', { timestamp: at, id: 'c', metric: 'temperature', deviceId: 'D2' }],
  ])('given a token position with %s, then the query is refused', async (_case, after) => {
    await expect(store().list(query, { ...pageRequest({}, query), after })).rejects.toThrow(
      /nextToken does not belong to this query/,
    );
  });

  it('given a well-formed position, then the page starts after it', async () => {
    const page = await store().list(query, {
      ...pageRequest({}, query),
      after: { timestamp: at, id: 'c', metric: 'temperature' },
    });
    expect(page.items.map((r) => r.id)).toEqual(['b', 'a']);
  });
});

describe('DynamoDbReadingStore bounds', () => {
  it('given a metric the device seldom sends and no time bounds, when a page would read too many blocks, then the query is refused with what to change', async () => {
    // Prepare: 60 blocks of another metric, one reading each
    const store = new DynamoDbReadingStore(documents, resources.tableNames.readingBlocks, 90, 1);
    for (let i = 0; i < 60; i++) {
      await store.saveMany([
        {
          id: `busy-${i}`,
          deviceId: 'B5',
          metric: 'busy',
          value: i,
          timestamp: new Date(Date.UTC(2026, 4, 4, 0, i)).toISOString(),
        },
      ]);
    }
    const query = { deviceId: 'B5', metric: 'rare', from: null, to: null };

    // Act and assess
    await expect(store.list(query, pageRequest({}, query))).rejects.toThrow(
      /narrow it with from and to/,
    );
    const bounded = { ...query, from: new Date(Date.UTC(2026, 4, 4, 0, 50)).toISOString() };
    expect((await store.list(bounded, pageRequest({}, bounded))).items).toEqual([]);
  });
});

describe('DynamoDbRuleStore', () => {
  it('given rules created, updated and deleted, then get, list and all reflect each change', async () => {
    const store = new DynamoDbRuleStore(documents, resources.tableNames.rules);
    const forD1 = newRule(
      { deviceId: 'D1', metric: 'cpu', operator: 'GT', threshold: 80 },
      'rule-1',
      '2026-05-01T12:00:00.000Z',
    );
    const forAll = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 90 },
      'rule-2',
      '2026-05-01T12:01:00.000Z',
    );
    await store.create(forD1);
    await store.create(forAll);
    await expect(store.create(forAll)).rejects.toThrow();
    expect(await store.get('rule-1')).toEqual(forD1);
    expect(await store.replace({ ...forD1, threshold: 85 })).toBe(true);
    expect((await store.get('rule-1'))?.threshold).toBe(85);
    const all = await store.list({ deviceId: null }, pageRequest({}, {}));
    expect(all.items.map((r) => r.id)).toEqual(['rule-2', 'rule-1']);
    const d1 = await store.list({ deviceId: 'D1' }, pageRequest({}, {}));
    expect(d1.items.map((r) => r.id)).toEqual(['rule-1']);
    expect(await store.delete('rule-1')).toBe(true);
    expect(await store.delete('rule-1')).toBe(false);
    expect(await store.replace(forD1)).toBe(false);
    expect((await store.all()).map((r) => r.id)).toEqual(['rule-2']);
  });

  it('given a rule created and changed by callers, then both names read back; a rule stored without them reads back with null', async () => {
    // Prepare
    const store = new DynamoDbRuleStore(documents, resources.tableNames.rules);
    const created = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 80 },
      'rule-by',
      '2026-05-01T12:02:00.000Z',
      'ada@example.com',
    );
    const changed = applyRuleUpdate(
      created,
      { threshold: 85 },
      '2026-05-01T12:03:00.000Z',
      'bob@example.com',
    );
    const { createdBy: _c, updatedBy: _u, ...older } = { ...created, id: 'rule-older' };

    // Act
    await store.create(created);
    await store.replace(changed);
    await documents.send(
      new PutCommand({
        TableName: resources.tableNames.rules,
        Item: { ...older, scope: '*', kind: 'rule', createdKey: `${older.createdAt}#rule-older` },
      }),
    );

    // Assess
    expect(await store.get('rule-by')).toMatchObject({
      createdBy: 'ada@example.com',
      updatedBy: 'bob@example.com',
    });
    expect(await store.get('rule-older')).toMatchObject({ createdBy: null, updatedBy: null });
    await store.delete('rule-by');
    await store.delete('rule-older');
  });

  it('given a rule with its own flapping options, then a worker reads them; a rule stored before them reads back with the defaults', async () => {
    // Prepare
    const store = new DynamoDbRuleStore(documents, resources.tableNames.rules);
    const at = '2026-05-01T12:04:00.000Z';
    const tuned = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 80, flapHighPercent: 40, flapLowPercent: 10 },
      'rule-flap',
      at,
    );
    const {
      flapDetection: _d,
      flapHighPercent: _h,
      flapLowPercent: _l,
      ...older
    } = { ...tuned, id: 'rule-flap-older' };

    // Act
    await store.create(tuned);
    await documents.send(
      new PutCommand({
        TableName: resources.tableNames.rules,
        Item: { ...older, scope: '*', kind: 'rule', createdKey: `${at}#rule-flap-older` },
      }),
    );

    // Assess
    const flap = { flapDetection: true, flapHighPercent: 40, flapLowPercent: 10 };
    expect(await store.get('rule-flap')).toMatchObject(flap);
    expect((await store.loadAll()).find((rule) => rule.id === 'rule-flap')).toMatchObject(flap);
    expect(await store.get('rule-flap-older')).toMatchObject({
      flapDetection: true,
      flapHighPercent: 50,
      flapLowPercent: 25,
    });
    await store.delete('rule-flap');
    await store.delete('rule-flap-older');
  });

  it('given 150 imported rules, one deleted, then getMany reads the rest with their source across two batches, and a rule stored before sources reads back with none', async () => {
    // Prepare
    const store = new DynamoDbRuleStore(documents, resources.tableNames.rules);
    const at = '2026-05-01T12:05:00.000Z';
    const rules = Array.from({ length: 150 }, (_, n) => ({
      ...newRule({ metric: 'cpu', operator: 'GT', threshold: n }, `iot-events:Many_${n}`, at),
      source: { kind: 'IOT_EVENTS' as const, name: `Many_${n}`, version: '2' },
    }));
    const { source: _s, ...older } = newRule(
      { metric: 'cpu', operator: 'GT', threshold: 1 },
      'rule-before-sources',
      at,
    );
    await Promise.all(rules.map((rule) => store.create(rule)));
    await store.delete('iot-events:Many_7');
    await documents.send(
      new PutCommand({
        TableName: resources.tableNames.rules,
        Item: { ...older, scope: '*', kind: 'rule', createdKey: `${at}#rule-before-sources` },
      }),
    );

    // Act
    const found = await store.getMany([
      ...rules.map((rule) => rule.id),
      'iot-events:Many_0',
      'no-such-rule',
      'rule-before-sources',
    ]);

    // Assess
    expect(found.size).toBe(150);
    expect(found.has('iot-events:Many_7')).toBe(false);
    expect(found.get('iot-events:Many_149')).toEqual(rules[149]);
    expect(found.get('rule-before-sources')?.source).toBeNull();
    await Promise.all([...found.keys()].map((id) => store.delete(id)));
  });
});

describe('DynamoDbCredentialStore', () => {
  // The local stack names each table by its logical id.
  const store = () => new DynamoDbCredentialStore(documents, tables.deviceCredentials.id);
  const issue = (name: string, minute: number) =>
    issueDeviceCredential(
      { name, deviceIds: ['D1', 'D2'], deviceIdPrefix: name === 'prefixed' ? 'demo-' : null },
      'admin@example.com',
      `2026-05-01T12:${String(minute).padStart(2, '0')}:00.000Z`,
    );

  it('given a credential created, then it reads back with its hash for verification, and its id cannot be created again', async () => {
    // Prepare
    const issued = issue('prefixed', 0);

    // Act
    await store().create(issued.credential, issued.secretHash);

    // Assess
    expect(await store().findForVerification(issued.credential.id)).toEqual({
      credential: issued.credential,
      secretHash: issued.secretHash,
    });
    await expect(store().create(issued.credential, 'f'.repeat(64))).rejects.toThrow();
    expect((await store().findForVerification(issued.credential.id))?.secretHash).toBe(
      issued.secretHash,
    );
    expect(await store().findForVerification('0'.repeat(32))).toBeNull();
  });

  it('given credentials created, then they list newest first across pages, without their hashes', async () => {
    // Prepare
    const issued = [issue('first', 1), issue('second', 2), issue('third', 3)];
    for (const { credential, secretHash } of issued) await store().create(credential, secretHash);

    // Act
    const names: string[] = [];
    const seen: unknown[] = [];
    let token: string | null = null;
    do {
      const page = await store().list(pageRequest({ limit: 2, nextToken: token }, {}));
      names.push(...page.items.map((credential) => credential.name));
      seen.push(...page.items);
      token = page.nextToken;
    } while (token);

    // Assess
    expect(names.filter((name) => name !== 'prefixed')).toEqual(['third', 'second', 'first']);
    expect(JSON.stringify(seen)).not.toContain('secretHash');
    for (const { secretHash } of issued) expect(JSON.stringify(seen)).not.toContain(secretHash);
    expect(seen).toContainEqual(issued[1]?.credential);
  });

  it('given a credential revoked twice, then it keeps the first revocation; an unknown id is null', async () => {
    // Prepare
    const { credential, secretHash } = issue('revoked', 4);
    await store().create(credential, secretHash);

    // Act
    const first = await store().revoke(
      credential.id,
      'ada@example.com',
      '2026-05-02T00:00:00.000Z',
    );
    const second = await store().revoke(
      credential.id,
      'bob@example.com',
      '2026-05-03T00:00:00.000Z',
    );

    // Assess
    const revoked = {
      ...credential,
      revokedAt: '2026-05-02T00:00:00.000Z',
      revokedBy: 'ada@example.com',
    };
    expect(first).toEqual(revoked);
    expect(second).toEqual(revoked);
    expect((await store().findForVerification(credential.id))?.credential).toEqual(revoked);
    expect(
      await store().revoke('f'.repeat(32), 'ada@example.com', '2026-05-02T00:00:00.000Z'),
    ).toBeNull();
    expect(await store().findForVerification('f'.repeat(32))).toBeNull();
  });

  it('given uses within the granularity, then lastUsedAt is written once; after it, again; never for an unknown id', async () => {
    // Prepare
    const { credential, secretHash } = issue('touched', 5);
    await store().create(credential, secretHash);
    const lastUsedAt = async () =>
      (await store().findForVerification(credential.id))?.credential.lastUsedAt;

    // Act and assess: two concurrent first uses write once
    const concurrent = await Promise.all([
      store().touch(credential.id, '2026-05-01T13:00:00.000Z', 60),
      store().touch(credential.id, '2026-05-01T13:00:00.000Z', 60),
    ]);
    expect(concurrent.filter(Boolean)).toHaveLength(1);
    expect(await store().touch(credential.id, '2026-05-01T13:00:59.999Z', 60)).toBe(false);
    expect(await lastUsedAt()).toBe('2026-05-01T13:00:00.000Z');
    expect(await store().touch(credential.id, '2026-05-01T13:01:00.000Z', 60)).toBe(true);
    expect(await lastUsedAt()).toBe('2026-05-01T13:01:00.000Z');
    expect(await store().touch('e'.repeat(32), '2026-05-01T13:00:00.000Z', 60)).toBe(false);
    expect(await store().findForVerification('e'.repeat(32))).toBeNull();
  });

  it('given a credential used and revoked, then the list shows every field of it, and its index holds no secret hash', async () => {
    // Prepare
    const { credential, secretHash } = issue('prefixed', 6);
    await store().create(credential, secretHash);
    await store().touch(credential.id, '2026-05-01T14:00:00.000Z', 60);
    const revoked = await store().revoke(
      credential.id,
      'ada@example.com',
      '2026-05-02T00:00:00.000Z',
    );

    // Act
    const listed: unknown[] = [];
    let token: string | null = null;
    do {
      const page = await store().list(pageRequest({ limit: 50, nextToken: token }, {}));
      listed.push(...page.items);
      token = page.nextToken;
    } while (token);
    const { Items: indexed = [] } = await documents.send(
      new QueryCommand({
        TableName: tables.deviceCredentials.id,
        IndexName: 'all',
        KeyConditionExpression: 'kind = :kind',
        ExpressionAttributeValues: { ':kind': 'credential' },
      }),
    );

    // Assess
    expect(revoked).toEqual({
      ...credential,
      lastUsedAt: '2026-05-01T14:00:00.000Z',
      revokedAt: '2026-05-02T00:00:00.000Z',
      revokedBy: 'ada@example.com',
    });
    expect(listed).toContainEqual(revoked);
    expect(indexed.length).toBeGreaterThan(0);
    for (const item of indexed) expect(item).not.toHaveProperty('secretHash');
  });
});

/** A firing alert of a fresh catch-all temperature rule, for a device of the test's own. */
function firingAlert(ruleId: string, deviceId: string, minute: number) {
  const rule = newRule(
    { metric: 'temperature', operator: 'GT', threshold: 0 },
    ruleId,
    '2026-05-01T12:00:00.000Z',
  );
  const at = `2026-05-01T12:${String(minute).padStart(2, '0')}:01.000Z`;
  return thresholdAlert(rule, reading(`${ruleId}-r`, minute, { deviceId }), minute, at);
}

/**
 * A DynamoDB client that loses the first response of each kind of command after the request
 * succeeded, as a dropped connection would; the SDK then retries the request.
 */
function lossyClient(): { lossy: DynamoDBClient; lost: Set<string> } {
  const lossy = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: emulators.dynamodbUrl,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const lost = new Set<string>();
  lossy.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = context.commandName ?? '';
      if (!lost.has(command)) {
        lost.add(command);
        throw Object.assign(new Error('socket hang up (injected)'), {
          name: 'TimeoutError',
          code: 'ECONNRESET',
        });
      }
      return result;
    },
    { step: 'deserialize', name: 'lose-first-response' },
  );
  return { lossy, lost };
}

/** Resolves an alert a test left firing, so later listings of active alerts do not see it. */
async function resolveAlert(store: DynamoDbAlertStore, alert: ReturnType<typeof firingAlert>) {
  await store.record({
    key: 'RESOLVED@end',
    kind: 'RESOLVED',
    alert: { ...alert, status: 'RESOLVED', resolvedAt: '2026-05-01T12:59:00.000Z' },
  });
}

describe('DynamoDbAlertStore', () => {
  it('given a new alert recorded with claims, then the same write holds its channels: nobody else can claim them, and recording it again claims nothing', async () => {
    // Prepare
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const alert = firingAlert('rule-claims', 'D-claims', 7);
    const firing = { key: 'FIRING@7', kind: 'FIRING' as const, alert };
    const claim = { marks: ['FIRING@7:email', 'FIRING@7:push'], leaseMs: 60_000 };

    // Act
    const first = await store.record(firing, claim);
    const again = await store.record(firing, claim);

    // Assess
    expect(first.claimed).toEqual(new Set(claim.marks));
    expect(first.alert).toEqual(alert);
    expect(await store.get(alert.id)).toEqual(alert);
    expect(again.claimed).toEqual(new Set());
    expect(await store.claimDelivery(alert.id, 'FIRING@7:push', 60_000)).toBe(false);
    await store.releaseClaim(alert.id, 'FIRING@7:push');
    expect(await store.claimDelivery(alert.id, 'FIRING@7:push', 60_000)).toBe(true);
    expect((await store.active('D-claims', pageRequest({}, {}))).items.map((a) => a.id)).toEqual([
      alert.id,
    ]);
    await resolveAlert(store, alert);
  });

  it('given an alert delivered on one channel, then its delivered marks say so, and an unknown alert has none', async () => {
    // Prepare
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const alert = firingAlert('rule-delivered', 'D-delivered', 8);
    await store.record({ key: 'FIRING@8', kind: 'FIRING', alert });

    // Act
    const before = await store.delivered(alert.id);
    await store.markDelivered(alert.id, 'FIRING@8:push');
    const after = await store.delivered(alert.id);
    const unknown = await store.delivered('no-such-alert');

    // Assess
    expect(before).toEqual(new Set());
    expect(after).toEqual(new Set(['FIRING@8:push']));
    expect(unknown).toEqual(new Set());
    await resolveAlert(store, alert);
  });

  it('given the response of a successful claiming write lost and the write retried by the SDK, then the worker still knows it holds the claims', async () => {
    // Prepare: a client whose first response of each kind is lost after the write succeeded
    const { lossy, lost } = lossyClient();
    const store = new DynamoDbAlertStore(
      DynamoDBDocumentClient.from(lossy),
      resources.tableNames.alerts,
      90,
    );
    const alert = firingAlert('rule-lossy', 'D-lossy', 9);
    const marks = ['FIRING@9:email', 'FIRING@9:push'];

    // Act: the put is retried; then a claim whose update is retried the same way
    const recorded = await store.record(
      { key: 'FIRING@9', kind: 'FIRING', alert },
      { marks, leaseMs: 60_000 },
    );
    await store.releaseClaim(alert.id, 'FIRING@9:push');
    const claimedAgain = await store.claimDelivery(alert.id, 'FIRING@9:push', 60_000);

    // Assess
    expect(lost).toEqual(new Set(['PutItemCommand', 'UpdateItemCommand']));
    expect(recorded.claimed).toEqual(new Set(marks));
    expect(claimedAgain).toBe(true);
    expect(await store.claimDelivery(alert.id, 'FIRING@9:push', 60_000)).toBe(false);
    await resolveAlert(store, alert);
    lossy.destroy();
  });

  it('given a firing recorded twice and then resolved, then one alert keeps its delivery marks and a late firing cannot reopen it', async () => {
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const rule = newRule(
      { metric: 'temperature', operator: 'GT', threshold: 0 },
      'rule-9',
      '2026-05-01T12:00:00.000Z',
    );
    const alert = thresholdAlert(rule, reading('r1', 1), 1, '2026-05-01T12:01:01.000Z');
    const firing = { key: 'FIRING@1', kind: 'FIRING' as const, alert };
    expect(await store.record(firing)).toEqual({
      alert,
      delivered: new Set(),
      claimed: new Set(),
    });
    await store.markDelivered(alert.id, 'FIRING@1:email');
    expect((await store.record(firing)).delivered).toEqual(new Set(['FIRING@1:email']));
    const active = (deviceId: string | null) => store.active(deviceId, pageRequest({}, {}));
    expect((await active('D1')).items.map((a) => a.id)).toEqual([alert.id]);
    expect((await active(null)).items.map((a) => a.id)).toEqual([alert.id]);
    const acknowledged = await store.acknowledge(alert.id, 'alice', '2026-05-01T12:02:00.000Z');
    expect(acknowledged).toMatchObject({ acknowledgedBy: 'alice' });
    const resolved = {
      ...alert,
      status: 'RESOLVED' as const,
      resolvedAt: '2026-05-01T12:03:00.000Z',
    };
    const recorded = await store.record({ key: 'RESOLVED@2', kind: 'RESOLVED', alert: resolved });
    expect(recorded.alert).toMatchObject({ status: 'RESOLVED', acknowledgedBy: 'alice' });
    expect((await active('D1')).items).toEqual([]);
    expect((await store.record(firing)).alert.status).toBe('RESOLVED');
    const query = (q: Partial<AlertQuery>) =>
      store.list(
        { deviceId: null, ruleId: null, status: null, from: null, to: null, ...q },
        pageRequest({}, {}),
      );
    expect((await query({ ruleId: 'rule-9' })).items.map((a) => a.id)).toEqual([alert.id]);
    expect((await query({ deviceId: 'D1', status: 'RESOLVED' })).items.map((a) => a.id)).toEqual([
      alert.id,
    ]);
    expect((await query({ status: 'FIRING' })).items).toEqual([]);
    expect(await store.acknowledge('no-such-alert', 'bob', '2026-05-01T12:00:00.000Z')).toBeNull();
  });

  it('given an acknowledged alert, when a late write of an older notification arrives, then it cannot take the alert back to firing or latch it, a second acknowledgement keeps the first, and open alerts of every status are listed as active', async () => {
    // Prepare
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const rule = newRule(
      { metric: 'temperature', operator: 'GT', threshold: 0, latch: true },
      'rule-latch',
      '2026-05-01T12:00:00.000Z',
    );
    const alert = thresholdAlert(
      rule,
      reading('r1', 1, { deviceId: 'DL' }),
      1,
      '2026-05-01T12:01:01.000Z',
    );
    const firing = { key: 'FIRING@1', kind: 'FIRING' as const, alert };
    await store.record(firing);
    const latched = { ...alert, status: 'LATCHED' as const };
    expect(
      (await store.record({ key: 'LATCHED@2', kind: 'LATCHED', alert: latched })).alert.status,
    ).toBe('LATCHED');
    // A latched alert whose condition returned fires again (a repeat).
    expect((await store.record({ key: 'REPEAT@3', kind: 'REPEAT', alert })).alert.status).toBe(
      'FIRING',
    );

    // Act
    await store.acknowledge(alert.id, 'alice', '2026-05-01T12:02:00.000Z');
    const second = await store.acknowledge(alert.id, 'bob', '2026-05-01T12:03:00.000Z');
    const acked = { ...alert, status: 'ACKNOWLEDGED' as const };
    await store.record({ key: 'ACKNOWLEDGED@4', kind: 'ACKNOWLEDGED', alert: acked });
    const lateFiring = await store.record(firing);
    const lateLatch = await store.record({ key: 'LATCHED@2', kind: 'LATCHED', alert: latched });

    // Assess
    expect(second).toMatchObject({
      acknowledgedBy: 'alice',
      acknowledgedAt: '2026-05-01T12:02:00.000Z',
    });
    expect(lateFiring.alert.status).toBe('ACKNOWLEDGED');
    expect(lateFiring.delivered).toEqual(new Set(['FIRING@1:email', 'FIRING@1:push']));
    expect(lateLatch.alert.status).toBe('ACKNOWLEDGED');
    const active = await store.active('DL', pageRequest({}, {}));
    expect(active.items.map((a) => a.status)).toEqual(['ACKNOWLEDGED']);
    const listed = (status: AlertQuery['status']) =>
      store.list(
        { deviceId: 'DL', ruleId: null, status, from: null, to: null },
        pageRequest({}, {}),
      );
    expect((await listed('ACKNOWLEDGED')).items.map((a) => a.id)).toEqual([alert.id]);
    expect((await listed('FIRING')).items).toEqual([]);
    expect((await listed('LATCHED')).items).toEqual([]);
    await store.record({
      key: 'RESOLVED@5',
      kind: 'RESOLVED',
      alert: { ...acked, status: 'RESOLVED', resolvedAt: '2026-05-01T12:04:00.000Z' },
    });
    expect((await store.active('DL', pageRequest({}, {}))).items).toEqual([]);
  });
});

describe('DynamoDbAlertStore holds', () => {
  it('given alerts held by two silences, then each is listed under its silence with when it was held, a hold again keeps that time, and an unhold by the wrong silence changes nothing', async () => {
    // Prepare
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const alerts = [1, 2, 3].map((n) => firingAlert('rule-held', `D-held-${n}`, 20 + n));
    for (const alert of alerts)
      await store.record({ key: `FIRING@${alert.id}`, kind: 'FIRING', alert });

    // Act
    expect(await store.hold(alerts[0]!.id, 'S-a', '2026-05-01T13:00:00.000Z')).toBe(true);
    expect(await store.hold(alerts[1]!.id, 'S-a', '2026-05-01T13:00:01.000Z')).toBe(true);
    expect(await store.hold(alerts[2]!.id, 'S-b', '2026-05-01T13:00:02.000Z')).toBe(true);
    expect(await store.hold(alerts[0]!.id, 'S-a', '2026-05-01T13:05:00.000Z')).toBe(true);
    expect(await store.hold('no-such-alert', 'S-a', '2026-05-01T13:00:00.000Z')).toBe(false);
    await store.unhold(alerts[2]!.id, 'S-a');

    // Assess
    const byAlert = (held: HeldAlert[]) => held.map((h) => [h.alertId, h.muteId, h.heldAt]).sort();
    expect(byAlert(await store.held('S-a'))).toEqual(
      [
        [alerts[0]!.id, 'S-a', '2026-05-01T13:00:00.000Z'],
        [alerts[1]!.id, 'S-a', '2026-05-01T13:00:01.000Z'],
      ].sort(),
    );
    expect(await store.held('S-b')).toEqual([
      {
        alertId: alerts[2]!.id,
        ruleId: 'rule-held',
        deviceId: 'D-held-3',
        muteId: 'S-b',
        heldAt: '2026-05-01T13:00:02.000Z',
      },
    ]);
    expect(await store.get(alerts[2]!.id)).toMatchObject({ silenced: true, silenceId: 'S-b' });
  });

  it('given a held alert taken over by another silence and then unheld, then it is listed under the new one with a new time, and an unhold clears its marks', async () => {
    // Prepare
    const store = new DynamoDbAlertStore(documents, resources.tableNames.alerts, 90);
    const alert = firingAlert('rule-moved', 'D-moved', 31);
    await store.record({ key: 'FIRING@31', kind: 'FIRING', alert });
    await store.hold(alert.id, 'S-c', '2026-05-01T14:00:00.000Z');

    // Act
    await store.hold(alert.id, 'S-d', '2026-05-01T14:10:00.000Z');
    const moved = await store.held('S-d');
    await store.unhold(alert.id, 'S-d');

    // Assess
    expect(moved.map((h) => h.heldAt)).toEqual(['2026-05-01T14:10:00.000Z']);
    expect(await store.held('S-c')).toEqual([]);
    expect(await store.held('S-d')).toEqual([]);
    expect(await store.get(alert.id)).toMatchObject({ silenced: false, silenceId: null });
    await resolveAlert(store, alert);
  });
});

describe('DynamoDbEpisodeStore', () => {
  it('given the response of a successful save lost and the save retried by the SDK, then the save still reports success, and another writer of that version still fails', async () => {
    // Prepare
    const { lossy, lost } = lossyClient();
    const store = new DynamoDbEpisodeStore(
      DynamoDBDocumentClient.from(lossy),
      resources.tableNames.episodes,
    );
    const key = { ruleId: 'rule-lossy', deviceId: 'D1' };
    const fresh = (await store.loadMany([key])).get('rule-lossy#D1')!;

    // Act
    const saved = await store.save({ ...fresh, consecutive: 1 }, 0);
    const rival = await store.save({ ...fresh, consecutive: 7 }, 0);

    // Assess
    expect(lost).toContain('UpdateItemCommand');
    expect(saved).toMatchObject({ version: 1, consecutive: 1 });
    expect(rival).toBeNull();
    expect((await store.loadMany([key])).get('rule-lossy#D1')).toMatchObject({
      version: 1,
      consecutive: 1,
    });
    lossy.destroy();
  });

  it('given two writers of one episode, then only the one holding the current version stores its step', async () => {
    const store = new DynamoDbEpisodeStore(documents, resources.tableNames.episodes);
    const key = { ruleId: 'rule-e', deviceId: 'D1' };
    const fresh = (await store.loadMany([key])).get('rule-e#D1');
    expect(fresh?.version).toBe(0);
    const first = await store.save({ ...fresh!, consecutive: 1, window: [{ t: 1, v: 2 }] }, 0);
    expect(first?.version).toBe(1);
    expect(await store.save({ ...fresh!, consecutive: 5 }, 0)).toBeNull();
    const loaded = (await store.loadMany([key])).get('rule-e#D1');
    expect(loaded).toMatchObject({ version: 1, consecutive: 1, window: [{ t: 1, v: 2 }] });
    const withOutbox = await store.save(
      {
        ...loaded!,
        outbox: [
          {
            key: 'k',
            kind: 'FIRING',
            alert: thresholdAlert(
              newRule(
                { metric: 'm', operator: 'GT', threshold: 0 },
                'rule-e',
                '2026-05-01T12:00:00.000Z',
              ),
              reading('x', 1),
              1,
              '2026-05-01T12:00:00.000Z',
            ),
          },
        ],
      },
      1,
    );
    await store.clearOutbox(withOutbox!);
    expect((await store.listForRule('rule-e'))[0]).toMatchObject({ version: 2, outbox: [] });
  });

  it('given a flapping episode saved, then its history, flag and last resolved alert read back; one stored before flap detection has no history', async () => {
    // Prepare
    const store = new DynamoDbEpisodeStore(documents, resources.tableNames.episodes);
    const key = { ruleId: 'rule-flapping', deviceId: 'D1' };
    const fresh = (await store.loadMany([key])).get('rule-flapping#D1')!;
    const resolved = {
      ...thresholdAlert(
        newRule(
          { metric: 'm', operator: 'GT', threshold: 0 },
          'rule-flapping',
          '2026-05-01T12:00:00.000Z',
        ),
        reading('x', 1),
        1,
        '2026-05-01T12:00:00.000Z',
      ),
      status: 'RESOLVED' as const,
      resolvedAt: '2026-05-01T12:01:00.000Z',
      flapping: true,
    };

    // Act
    await store.save({ ...fresh, flapHistory: 0b1011, flapping: true, lastResolved: resolved }, 0);
    await documents.send(
      new PutCommand({
        TableName: resources.tableNames.episodes,
        Item: { ruleId: 'rule-flapping', deviceId: 'D2', consecutive: 0, version: 3 },
      }),
    );

    // Assess
    const loaded = await store.loadMany([key, { ruleId: 'rule-flapping', deviceId: 'D2' }]);
    expect(loaded.get('rule-flapping#D1')).toMatchObject({
      flapHistory: 0b1011,
      flapping: true,
      lastResolved: resolved,
    });
    expect(loaded.get('rule-flapping#D2')).toMatchObject({
      flapHistory: 0,
      flapping: false,
      lastResolved: null,
    });
  });
});

describe('SqsEvaluationQueue and the event source mapping', () => {
  it('given 95 readings, then they are enqueued as three messages of at most 40, in order', async () => {
    const queue = new SqsEvaluationQueue(sqs, resources.emailOutboxQueueUrl);
    const readings = Array.from({ length: 95 }, (_, i) => reading(`p${i}`, i % 60));
    expect(await queue.enqueue(readings)).toEqual(new Map());
    const carried: Reading[][] = [];
    while (carried.length < 3) {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: resources.emailOutboxQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of result.Messages ?? []) {
        carried.push((JSON.parse(message.Body ?? '{}') as { readings: Reading[] }).readings);
      }
    }
    expect(carried.map((r) => r.length).sort()).toEqual([15, 40, 40]);
    expect(
      carried
        .flat()
        .map((r) => r.id)
        .sort(),
    ).toEqual(readings.map((r) => r.id).sort());
  });

  it('given a batch where one record always fails, then the others are deleted and it ends in the DLQ', async () => {
    const readings = Array.from({ length: 25 }, (_, i) => reading(`q${i}`, i % 60));
    for (let start = 0; start < readings.length; start += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: resources.evaluationQueueUrl,
          Entries: readings
            .slice(start, start + 10)
            .map((r, i) => ({ Id: String(i), MessageBody: JSON.stringify(r) })),
        }),
      );
    }
    const handled = new Map<string, number>();
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failures = [];
      for (const record of event.Records) {
        const { id } = JSON.parse(record.body) as Reading;
        handled.set(id, (handled.get(id) ?? 0) + 1);
        if (id === 'q7') failures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures: failures };
    };
    const mapping = startTestMapping(handler, 2);
    try {
      const dead = await waitFor(async () => {
        const result = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, WaitTimeSeconds: 1 }),
        );
        return result.Messages?.[0];
      }, 'the failing record in the dead-letter queue');
      expect((JSON.parse(dead.Body ?? '{}') as Reading).id).toBe('q7');
    } finally {
      await mapping.stop();
    }
    expect(handled.size).toBe(25);
    expect(handled.get('q7')).toBe(2);
    expect([...handled].filter(([id, count]) => id !== 'q7' && count !== 1)).toEqual([]);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: resources.evaluationQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  // Last: its stopped long polls stay open in the emulator for up to 20 s and would take
  // messages a later test sends.
  it('given a backlog, then the event source mapping adds pollers up to its concurrency, and once the backlog is gone only two long-poll', async () => {
    // Prepare: 150 messages waiting, a handler that takes a while, and a count of the
    // ReceiveMessage calls outstanding
    for (let start = 0; start < 150; start += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: resources.evaluationQueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(reading(`s${start + i}`, 1)),
          })),
        }),
      );
    }
    let invocations = 0;
    let most = 0;
    const handled = new Set<string>();
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      invocations += 1;
      most = Math.max(most, invocations);
      for (const record of event.Records) handled.add((JSON.parse(record.body) as Reading).id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      invocations -= 1;
      return { batchItemFailures: [] };
    };
    let receiving = 0;
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ReceiveMessageCommand') return next(args);
        receiving += 1;
        try {
          return await next(args);
        } finally {
          receiving -= 1;
        }
      },
      { step: 'initialize', name: 'countReceives' },
    );

    // Act
    const mapping = startTestMapping(handler, 5);
    try {
      await waitFor(async () => (handled.size === 150 ? true : null), 'the backlog handled');
      await waitFor(
        async () => (invocations === 0 && receiving === 2 ? true : null),
        'the added pollers stopped',
      );

      // Assess
      expect(most).toBe(5);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiving).toBe(2);
    } finally {
      await mapping.stop();
      sqs.middlewareStack.remove('countReceives');
    }
  });
});
