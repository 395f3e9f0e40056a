import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlertStore } from '../../adapters/dynamodb-alert-store.ts';
import { type Alert, thresholdAlert } from '../../domain/alert.ts';
import {
  alertShard,
  alertShardCount,
  legacyAlertPartition,
} from '../../domain/alert-partitions.ts';
import { pageRequest } from '../../domain/pagination.ts';
import type { AlertQuery } from '../../domain/ports.ts';
import { newRule } from '../../domain/rule.ts';
import { expiresAt } from '../../adapters/dynamodb-pages.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';

let emulators: ProvisionedEmulators;
let documents: DynamoDBDocumentClient;
let store: DynamoDbAlertStore;
let tableName: string;
/** The QueryCommand inputs the store sent, in order. */
const queries: { IndexName?: string; Limit?: number; KeyConditionExpression?: string }[] = [];

/** Alerts of the fleet, by id: 48 over two rules and six devices, a few firing at once. */
const recorded = new Map<string, Alert>();
/** Alerts written as they were before sharding (one partition for all), some still firing. */
const legacy: Alert[] = [];

const rule = (id: string) =>
  newRule({ metric: 'temperature', operator: 'GT', threshold: 0 }, id, '2026-06-01T00:00:00.000Z');

function alertAt(ruleId: string, deviceId: string, n: number, firedAt: string): Alert {
  return thresholdAlert(
    rule(ruleId),
    {
      id: `r${n}`,
      deviceId,
      metric: 'temperature',
      value: n,
      timestamp: firedAt,
    },
    n,
    firedAt,
  );
}

/** Minute `m` of 2026-06-01, 10:00 onwards; several alerts share a minute. */
const minute = (m: number) => new Date(Date.UTC(2026, 5, 1, 10, m)).toISOString();

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
  documents = DynamoDBDocumentClient.from(emulators.dynamodb);
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries.push({ ...(args.input as object) });
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
  tableName = emulators.resources.tableNames.alerts;
  store = new DynamoDbAlertStore(documents, tableName, 90);
  for (let n = 0; n < 48; n++) {
    const alert = alertAt(`rule-${n % 2}`, `D${n % 6}`, n, minute(Math.floor(n / 3)));
    await store.record({ key: `FIRING@${n}`, kind: 'FIRING', alert });
    // Two in three resolve.
    if (n % 3 !== 0) {
      const resolved = { ...alert, status: 'RESOLVED' as const, resolvedAt: minute(59) };
      await store.record({ key: `RESOLVED@${n}`, kind: 'RESOLVED', alert: resolved });
      recorded.set(alert.id, resolved);
    } else {
      recorded.set(alert.id, alert);
    }
  }
  for (let n = 0; n < 4; n++) {
    // Written with the partition value of the unsharded indexes, as the store did before.
    const alert = alertAt('rule-old', 'D-old', 100 + n, minute(2 * n + 1));
    const firing = n % 2 === 0;
    const stored = firing
      ? alert
      : { ...alert, status: 'RESOLVED' as const, resolvedAt: minute(58) };
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...stored,
          kind: legacyAlertPartition,
          firedKey: `${alert.firedAt}#${alert.id}`,
          expiresAt: expiresAt(alert.firedAt, 90),
          claims: {},
          ...(firing ? { firingDeviceId: alert.deviceId, firingKind: legacyAlertPartition } : {}),
        },
      }),
    );
    legacy.push(stored);
    recorded.set(alert.id, stored);
  }
});

afterAll(async () => {
  await emulators?.close();
});

const fleetQuery = (q: Partial<AlertQuery> = {}): AlertQuery => ({
  deviceId: null,
  ruleId: null,
  status: null,
  from: null,
  to: null,
  ...q,
});

/** The ids newest first: by fired time, then by id, as the `firedKey` sorts them. */
const newestFirst = (alerts: Iterable<Alert>) =>
  [...alerts]
    .sort((a, b) => {
      const ka = `${a.firedAt}#${a.id}`;
      const kb = `${b.firedAt}#${b.id}`;
      return ka < kb ? 1 : ka > kb ? -1 : 0;
    })
    .map((alert) => alert.id);

/** Every page of `alerts` as the resolver asks for them (`{ alerts: query }` is its scope). */
async function listAll(query: AlertQuery, limit: number) {
  const pages: string[][] = [];
  let token: string | null = null;
  do {
    const page = await store.list(
      query,
      pageRequest({ limit, nextToken: token }, { alerts: query }),
    );
    pages.push(page.items.map((alert) => alert.id));
    token = page.nextToken;
  } while (token !== null && pages.length < 200);
  return pages;
}

async function activeAll(limit: number) {
  const ids: string[] = [];
  let token: string | null = null;
  do {
    const page = await store.active(
      null,
      pageRequest({ limit, nextToken: token }, { activeAlerts: null }),
    );
    ids.push(...page.items.map((alert) => alert.id));
    token = page.nextToken;
  } while (token !== null && ids.length < 1000);
  return ids;
}

describe('alerts spread over shards', () => {
  it('given alerts of the fleet, then each is written to the shard of its id, and firing ones to the same firing shard', async () => {
    // Prepare
    const shards = new Set<string>();

    // Act and assess
    for (const [id, alert] of recorded) {
      if (legacy.some((old) => old.id === id)) continue;
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: { id } }));
      expect(Item?.kind).toBe(alertShard(id));
      expect(Item?.firingKind).toBe(alert.status === 'FIRING' ? alertShard(id) : undefined);
      shards.add(Item?.kind as string);
    }
    expect(shards.size).toBeGreaterThanOrEqual(12);
  });

  it('given alerts in many shards and the old partition, then one page lists them all newest first', async () => {
    const page = await store.list(fleetQuery(), pageRequest({ limit: 1000 }, {}));
    expect(page.items.map((alert) => alert.id)).toEqual(newestFirst(recorded.values()));
    expect(page.nextToken).toBeNull();
  });

  it.each([1, 2, 5, 7])(
    'given pages of %i, then every alert is listed once, newest first, and every page but the last is full',
    async (limit) => {
      const pages = await listAll(fleetQuery(), limit);
      expect(pages.flat()).toEqual(newestFirst(recorded.values()));
      for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
    },
  );

  it('given a page of 4, then each partition (16 shards and the old one) is queried once, for at most 4 items', async () => {
    // Act
    queries.length = 0;
    await store.list(fleetQuery(), pageRequest({ limit: 4 }, {}));

    // Assess
    expect(queries).toHaveLength(alertShardCount + 1);
    for (const query of queries) {
      expect(query).toMatchObject({ IndexName: 'all', Limit: 4 });
    }
  });

  it('given firing alerts, then active lists exactly those, newest first, old-partition ones included, across pages of 3', async () => {
    const firing = [...recorded.values()].filter((alert) => alert.status === 'FIRING');
    expect(firing.some((alert) => legacy.includes(alert))).toBe(true);
    expect(await activeAll(3)).toEqual(newestFirst(firing));
    expect((await listAll(fleetQuery({ status: 'FIRING' }), 3)).flat()).toEqual(
      newestFirst(firing),
    );
  });

  it('given a status filter on the whole fleet, then pages of 2 may be short but list every resolved alert once, newest first', async () => {
    const resolved = [...recorded.values()].filter((alert) => alert.status === 'RESOLVED');
    const pages = await listAll(fleetQuery({ status: 'RESOLVED' }), 2);
    expect(pages.flat()).toEqual(newestFirst(resolved));
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(2);
  });

  it('given a time range, then only the alerts fired within it are listed, across pages of 2', async () => {
    // Prepare
    const from = minute(3);
    const to = minute(8);
    const within = [...recorded.values()].filter(
      (alert) => alert.firedAt >= from && alert.firedAt <= to,
    );

    // Act
    const pages = await listAll(fleetQuery({ from, to }), 2);

    // Assess
    expect(within.length).toBeGreaterThan(10);
    expect(pages.flat()).toEqual(newestFirst(within));
  });

  it('given a device or a rule, then their own indexes answer as before, old alerts included', async () => {
    const ofD1 = [...recorded.values()].filter((alert) => alert.deviceId === 'D1');
    expect((await listAll(fleetQuery({ deviceId: 'D1' }), 3)).flat()).toEqual(newestFirst(ofD1));
    const ofOld = [...recorded.values()].filter((alert) => alert.ruleId === 'rule-old');
    expect((await listAll(fleetQuery({ ruleId: 'rule-old' }), 3)).flat()).toEqual(
      newestFirst(ofOld),
    );
  });

  it('given an alert of the old partition written again, then it moves to its shard and is still listed once', async () => {
    // Prepare
    const old = legacy[0] as Alert;
    const resolved = { ...old, status: 'RESOLVED' as const, resolvedAt: minute(57) };

    // Act
    await store.record({ key: 'RESOLVED@old', kind: 'RESOLVED', alert: resolved });

    // Assess
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { id: old.id } }),
    );
    expect(Item).toMatchObject({ kind: alertShard(old.id), status: 'RESOLVED' });
    expect(Item?.firingKind).toBeUndefined();
    recorded.set(old.id, resolved);
    expect((await listAll(fleetQuery(), 5)).flat()).toEqual(newestFirst(recorded.values()));
    expect(await activeAll(5)).not.toContain(old.id);
  });
});

describe('page tokens of merged listings', () => {
  const first = async (query: AlertQuery) => {
    const page = await store.list(query, pageRequest({ limit: 2 }, { alerts: query }));
    return page.nextToken as string;
  };
  const decode = (token: string) =>
    JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      q: string;
      p: Record<string, unknown>;
    };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const list = async (query: AlertQuery, nextToken: string) =>
    store.list(query, pageRequest({ limit: 2, nextToken }, { alerts: query }));

  it('given a token of the fleet listing, then it holds a position in each partition still to read', async () => {
    const { p } = decode(await first(fleetQuery()));
    expect(Object.keys(p).length).toBeGreaterThan(1);
    for (const key of Object.keys(p)) expect(key).toMatch(/^alert(#\d+)?$/);
  });

  it('given a token of one query, then another query refuses it: active, a status, a range, a device', async () => {
    // Prepare
    const token = await first(fleetQuery());

    // Act and assess
    const active = async () =>
      store.active(null, pageRequest({ limit: 2, nextToken: token }, { activeAlerts: null }));
    await expect(active()).rejects.toThrow(/nextToken is invalid/);
    await expect(list(fleetQuery({ status: 'RESOLVED' }), token)).rejects.toThrow(
      /nextToken is invalid/,
    );
    await expect(list(fleetQuery({ from: minute(1) }), token)).rejects.toThrow(
      /nextToken is invalid/,
    );
    await expect(list(fleetQuery({ deviceId: 'D1' }), token)).rejects.toThrow(
      /nextToken is invalid/,
    );
  });

  it("given a device listing's position in a fleet listing's page, or a fleet position in a device's, then the query refuses it", async () => {
    // Prepare
    const fleet = pageRequest(
      { limit: 2, nextToken: await first(fleetQuery()) },
      { alerts: fleetQuery() },
    );
    const device = fleetQuery({ deviceId: 'D1' });
    const ofDevice = pageRequest({ limit: 2, nextToken: await first(device) }, { alerts: device });

    // Act and assess
    await expect(store.list(fleetQuery(), { ...fleet, after: ofDevice.after })).rejects.toThrow(
      /nextToken does not belong to this query/,
    );
    await expect(store.list(device, { ...ofDevice, after: fleet.after })).rejects.toThrow(
      /nextToken does not belong to this query/,
    );
  });

  it.each([
    ['a partition of another index', (p: Record<string, unknown>) => ({ ...p, D1: '' })],
    ['a shard past the sixteenth', (p: Record<string, unknown>) => ({ ...p, 'alert#16': '' })],
    [
      'a sort key that is not a fired time and id',
      (p: Record<string, unknown>) => ({ ...p, 'alert#0': 'zzz' }),
    ],
    [
      'a sort key of 10,000 characters',
      (p: Record<string, unknown>) => ({ ...p, 'alert#0': `${minute(1)}#${'x'.repeat(10_000)}` }),
    ],
  ])('given a fleet token re-encoded with %s, then it is refused', async (_, change) => {
    // Prepare
    const query = fleetQuery();
    const { q, p } = decode(await first(query));

    // Act and assess
    await expect(list(query, encode({ q, p: change(p) }))).rejects.toThrow(
      /nextToken does not belong to this query/,
    );
  });

  it('given a ranged fleet token re-encoded to start after the end of its range, then it is refused', async () => {
    // Prepare
    const query = fleetQuery({ from: minute(3), to: minute(8) });
    const { q, p } = decode(await first(query));

    // Act and assess
    await expect(
      list(query, encode({ q, p: { ...p, 'alert#0': `${minute(30)}#x` } })),
    ).rejects.toThrow(/nextToken does not belong to this query/);
    await expect(
      list(query, encode({ q, p: { ...p, 'alert#0': `${minute(1)}#x` } })),
    ).rejects.toThrow(/nextToken does not belong to this query/);
  });

  it('given a fleet token with a position of non-strings, then it is refused as invalid', async () => {
    const query = fleetQuery();
    const { q, p } = decode(await first(query));
    await expect(list(query, encode({ q, p: { ...p, 'alert#0': 42 } }))).rejects.toThrow(
      /nextToken is invalid/,
    );
  });
});
