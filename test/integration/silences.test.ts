import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSilenceStore } from '../../adapters/dynamodb-silence-store.ts';
import { newMaintenanceWindow } from '../../domain/maintenance-window.ts';
import { MuteCache } from '../../domain/silence-cache.ts';
import { expireSilence, newSilence, type Silence } from '../../domain/silences.ts';
import type { Alert } from '../../domain/alert.ts';
import type { CreateSilenceInput } from '../../generated/graphql.ts';
import { tables } from '../../infra/resources.ts';
import type { LocalStack } from '../../local/stack.ts';
import { graphql } from '../support/appsync-client.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackSubscription,
  startTestStack,
} from '../support/local-stack.ts';
import { createUser, localAdmin, type TestUser } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by assertions, not types
type Json = Record<string, any>;

const RUN = randomUUID().slice(0, 8);
const hour = 3600_000;
const later = (ms: number) => new Date(Date.now() + ms).toISOString();

let stack: LocalStack;
let dynamodb: DynamoDBClient;
let admin: TestUser;
let operator: TestUser;
let viewer: TestUser;
const operatorEmail = `operator-${RUN}@example.com`;

beforeAll(async () => {
  stack = await startTestStack();
  dynamodb = new DynamoDBClient({
    region: stack.outputs.Region,
    endpoint: stack.outputs.DynamoDbEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  [admin, operator, viewer] = await Promise.all([
    localAdmin(stack.outputs),
    createUser(stack.outputs, 'operators', operatorEmail),
    createUser(stack.outputs, 'viewers'),
  ]);
}, 60_000);

afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
});

const as =
  (user: TestUser) =>
  (query: string, variables: Json = {}) =>
    graphql<Json>(stack.outputs.GraphQLUrl, user.idToken, query, variables);

/** Every item in the silences table, tombstones included: what a refused call must not change. */
async function storedItems(): Promise<number> {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const result = await dynamodb.send(
      new ScanCommand({ TableName: tables.silences.id, ExclusiveStartKey: startKey }),
    );
    count += result.Count ?? 0;
    startKey = result.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return count;
}

const SILENCE_FIELDS = `id matchers { ruleId deviceId metric severities labels { key operator values } }
  startsAt endsAt comment notifyResolved state createdAt createdBy expiredAt expiredBy`;
const CREATE_SILENCE = `mutation ($input: CreateSilenceInput!) { createSilence(input: $input) { ${SILENCE_FIELDS} } }`;
const EXPIRE_SILENCE = `mutation ($id: ID!) { expireSilence(id: $id) { ${SILENCE_FIELDS} } }`;
const WINDOW_FIELDS = `id name timeZone periods { days start end } startsOn endsOn
  matchers { deviceId metric severities } notifyResolved active createdAt createdBy updatedAt updatedBy`;
const CREATE_WINDOW = `mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { ${WINDOW_FIELDS} } }`;
const UPDATE_WINDOW = `mutation ($id: ID!, $input: MaintenanceWindowInput!) { updateMaintenanceWindow(id: $id, input: $input) { ${WINDOW_FIELDS} } }`;
const DELETE_WINDOW = `mutation ($id: ID!) { deleteMaintenanceWindow(id: $id) { id deleted } }`;
const WINDOW = `query ($id: ID!) { maintenanceWindow(id: $id) { ${WINDOW_FIELDS} } }`;

async function listedIds(state: string | null): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | null = null;
  do {
    const answer: Json = await as(viewer)(
      `query ($s: SilenceState, $n: String) { silences(state: $s, limit: 100, nextToken: $n) { items { id state } nextToken } }`,
      { s: state, n: nextToken },
    );
    for (const item of answer.data.silences.items as Json[]) {
      if (state !== null) expect(item.state).toBe(state);
      ids.push(item.id as string);
    }
    nextToken = answer.data.silences.nextToken as string | null;
  } while (nextToken);
  return ids;
}

const silenceInput = (overrides: Json = {}) => ({
  matchers: { deviceId: `dev-${RUN}`, severities: ['CRITICAL', 'WARNING'] },
  endsAt: later(2 * hour),
  comment: `replacing the sensor ${RUN}`,
  ...overrides,
});

const windowInput = (overrides: Json = {}) => ({
  name: `patching ${RUN}`,
  timeZone: 'Europe/Berlin',
  periods: [{ days: ['SATURDAY', 'SUNDAY'], start: '22:00', end: '06:00' }],
  matchers: { metric: `cpu-${RUN}` },
  ...overrides,
});

/**
 * Counts what a DynamoDB client reads, with an SDK middleware at the finalizeRequest step (as
 * test/integration/rule-refresh.test.ts and the bench do): requests, and the items each read.
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
      { step: 'finalizeRequest', name: 'muteRefreshReadCounter' },
    );
  }

  reset(): void {
    this.requests = 0;
    this.items = 0;
  }
}

const MAX_AGE_MS = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const alertOf = (deviceId: string, metric = 'temperature') =>
  ({
    id: 'a',
    ruleId: 'r',
    deviceId,
    metric,
    severity: 'WARNING',
    labels: [],
  }) as Partial<Alert> as Alert;

// First in the file: the other tests' writes would be changes its refreshes read.
describe("the workers' set of mutes", () => {
  it('given many silences stored, when one is expired and a window deleted, then a refresh reads those changes and not every silence', async () => {
    // Prepare: a store on its own counted client, and many silences written a while ago.
    const client = new DynamoDBClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.DynamoDbEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const counter = new ReadCounter(client);
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const store = new DynamoDbSilenceStore(documents, tables.silences.id);
    const earlier = new DynamoDbSilenceStore(
      documents,
      tables.silences.id,
      () => Date.now() - 10 * 60_000,
    );
    const now = Date.now();
    const stored: Silence[] = Array.from({ length: 500 }, (_, i) =>
      newSilence(
        {
          matchers: { deviceId: `refresh-${RUN}-${i}` },
          endsAt: new Date(now + hour).toISOString(),
          comment: 'refresh',
        } as CreateSilenceInput,
        `refresh-${RUN}-${i}`,
        now,
        'ops',
      ),
    );
    for (let i = 0; i < stored.length; i += 50) {
      await Promise.all(stored.slice(i, i + 50).map((silence) => earlier.createSilence(silence)));
    }
    const window = newMaintenanceWindow(
      {
        name: 'always',
        timeZone: 'UTC',
        periods: [
          {
            days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'],
            start: '00:00',
            end: '00:00',
          },
        ],
        matchers: { metric: `window-${RUN}` },
      },
      `window-${RUN}`,
      now,
      'ops',
    );
    await earlier.createWindow(window);
    const cache = new MuteCache(store, { maxAgeMs: MAX_AGE_MS });
    const refreshed = async () => {
      await pause(MAX_AGE_MS);
      counter.reset();
      return cache.current();
    };

    // Act and assess: the cold start reads every item.
    counter.reset();
    const mutes = await cache.current();
    expect(counter.items).toBeGreaterThanOrEqual(stored.length + 1);
    expect(mutes.mutedBy(alertOf(`refresh-${RUN}-7`), Date.now())?.id).toBe(`refresh-${RUN}-7`);
    expect(mutes.mutedBy(alertOf('any', `window-${RUN}`), Date.now())).toEqual({
      id: window.id,
      kind: 'MAINTENANCE_WINDOW',
      notifyResolved: true,
    });

    // Nothing changed: one query, no item.
    await refreshed();
    expect({ requests: counter.requests, items: counter.items }).toEqual({ requests: 1, items: 0 });

    // One silence expired: one query, that one item; the set no longer mutes by it.
    const target = stored[7] as Silence;
    expect(await store.expireSilence(expireSilence(target, Date.now(), 'ops'), target.endsAt)).toBe(
      true,
    );
    expect(await refreshed()).toBe(mutes);
    expect({ requests: counter.requests, items: counter.items }).toEqual({ requests: 1, items: 1 });
    expect(mutes.mutedBy(alertOf(`refresh-${RUN}-7`), Date.now())).toBeNull();

    // The window deleted: its tombstone, and the expiry before it still in the overlap.
    expect(await store.deleteWindow(window.id)).toBe(true);
    await refreshed();
    expect(counter.requests).toBe(1);
    expect(counter.items).toBeLessThanOrEqual(2);
    expect(mutes.mutedBy(alertOf('any', `window-${RUN}`), Date.now())).toBeNull();
    expect(mutes.get(window.id, Date.now())).toBeNull();
    client.destroy();
  });

  it('given a silence expired through the API, then the store answers by id at once, read consistently', async () => {
    const created = (await as(operator)(CREATE_SILENCE, { input: silenceInput() })).data
      ?.createSilence as Json;
    const store = new DynamoDbSilenceStore(
      DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tables.silences.id,
    );
    const before = await store.get(created.id as string);
    expect(before).toMatchObject({ id: created.id, kind: 'SILENCE', notifyResolved: true });
    expect(before?.active(Date.now())).toBe(true);

    await as(operator)(EXPIRE_SILENCE, { id: created.id });

    const after = await store.get(created.id as string);
    expect(after?.active(Date.now())).toBe(false);
    expect(await store.get(`missing-${RUN}`)).toBeNull();
  });
});

describe('silences through the API', () => {
  it('given an operator, when they create a silence, then it is active at once, recorded as theirs, and listed as ACTIVE only', async () => {
    // Act
    const answer = await as(operator)(CREATE_SILENCE, { input: silenceInput() });

    // Assess
    expect(answer.errors).toBeUndefined();
    const silence = answer.data?.createSilence as Json;
    expect(silence).toMatchObject({
      matchers: {
        ruleId: null,
        deviceId: `dev-${RUN}`,
        metric: null,
        severities: ['WARNING', 'CRITICAL'],
        labels: null,
      },
      comment: `replacing the sensor ${RUN}`,
      notifyResolved: true,
      state: 'ACTIVE',
      createdBy: operatorEmail,
      expiredAt: null,
      expiredBy: null,
    });
    expect(Date.parse(silence.startsAt)).toBeLessThanOrEqual(Date.now());
    const read = await as(viewer)(`query ($id: ID!) { silence(id: $id) { ${SILENCE_FIELDS} } }`, {
      id: silence.id,
    });
    expect(read.data?.silence).toEqual(silence);
    expect(await listedIds('ACTIVE')).toContain(silence.id);
    expect(await listedIds('PENDING')).not.toContain(silence.id);
    expect(await listedIds('EXPIRED')).not.toContain(silence.id);
    expect(await listedIds(null)).toContain(silence.id);
  });

  it('given a silence that starts later, then it is listed as PENDING', async () => {
    const answer = await as(admin)(CREATE_SILENCE, {
      input: silenceInput({ startsAt: later(hour), notifyResolved: false }),
    });
    const silence = answer.data?.createSilence as Json;
    expect(silence).toMatchObject({ state: 'PENDING', notifyResolved: false });
    expect(await listedIds('PENDING')).toContain(silence.id);
    expect(await listedIds('ACTIVE')).not.toContain(silence.id);
  });

  it('given an active silence, when an admin expires it, then it ends now and records who; expiring it again changes nothing', async () => {
    // Prepare
    const created = (await as(operator)(CREATE_SILENCE, { input: silenceInput() })).data
      ?.createSilence as Json;
    const before = Date.now();

    // Act
    const expired = (await as(admin)(EXPIRE_SILENCE, { id: created.id })).data
      ?.expireSilence as Json;
    const again = await as(operator)(EXPIRE_SILENCE, { id: created.id });

    // Assess
    expect(expired).toMatchObject({
      id: created.id,
      state: 'EXPIRED',
      createdBy: operatorEmail,
      expiredBy: 'admin@example.com',
    });
    expect(expired.endsAt).toBe(expired.expiredAt);
    expect(Date.parse(expired.endsAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(again.errors).toBeUndefined();
    expect(again.data?.expireSilence).toEqual(expired);
    expect(await listedIds('EXPIRED')).toContain(created.id);
    expect(await listedIds('ACTIVE')).not.toContain(created.id);
  });

  it('given a viewer, when they create or expire a silence, then they are refused and nothing changes; they may read', async () => {
    const created = (await as(operator)(CREATE_SILENCE, { input: silenceInput() })).data
      ?.createSilence as Json;
    const items = await storedItems();

    const create = await as(viewer)(CREATE_SILENCE, { input: silenceInput() });
    const expire = await as(viewer)(EXPIRE_SILENCE, { id: created.id });

    for (const [answer, field] of [
      [create, 'createSilence'],
      [expire, 'expireSilence'],
    ] as const) {
      expect(answer.errors).toEqual([
        expect.objectContaining({
          errorType: 'Unauthorized',
          message: `Not Authorized to access ${field} on type Mutation`,
        }),
      ]);
    }
    expect(await storedItems()).toBe(items);
    const read = await as(viewer)(`query ($id: ID!) { silence(id: $id) { state } }`, {
      id: created.id,
    });
    expect(read.data?.silence).toEqual({ state: 'ACTIVE' });
  });

  it('given an unknown id, then expireSilence answers NotFound and silence null', async () => {
    const expire = await as(admin)(EXPIRE_SILENCE, { id: `missing-${RUN}` });
    expect(expire.errors?.[0]).toMatchObject({
      errorType: 'NotFound',
      message: `No silence with id 'missing-${RUN}'`,
    });
    const read = await as(admin)(`query ($id: ID!) { silence(id: $id) { id } }`, {
      id: `missing-${RUN}`,
    });
    expect(read).toMatchObject({ data: { silence: null } });
    expect(read.errors).toBeUndefined();
  });

  it.each([
    ['an end before the start', { startsAt: later(3 * hour) }, 'input.endsAt'],
    ['an end in the past', { startsAt: later(-2 * hour), endsAt: later(-hour) }, 'input.endsAt'],
    ['matchers on nothing', { matchers: {} }, 'input.matchers'],
    ['an unknown severity list', { matchers: { severities: [] } }, 'input.matchers.severities'],
    [
      'a bad label matcher',
      { matchers: { labels: [{ key: 'site', operator: 'EQ', values: [] }] } },
      'input.matchers.labels[0].values',
    ],
    ['an overlong comment', { comment: 'x'.repeat(1001) }, 'input.comment'],
    ['a blank comment', { comment: ' ' }, 'input.comment'],
    ['a start that is no date-time', { startsAt: 'now' }, 'startsAt'],
  ])(
    'given %s, then createSilence is refused with a ValidationError naming the field, and nothing is stored',
    async (_case, overrides, field) => {
      const items = await storedItems();
      const answer = await as(admin)(CREATE_SILENCE, { input: silenceInput(overrides) });
      expect(answer.data?.createSilence ?? null).toBeNull();
      expect(answer.errors).toHaveLength(1);
      // The API's own check, or AppSync's of the AWSDateTime scalar: the same errorType.
      expect(answer.errors?.[0]?.errorType).toBe('ValidationError');
      expect(answer.errors?.[0]?.message).toContain(field);
      expect(await storedItems()).toBe(items);
    },
  );
});

describe('maintenance windows through the API', () => {
  it('given an operator, when they create, change, list and delete a window, then each is recorded and the window is gone at the end', async () => {
    // Create
    const created = await as(operator)(CREATE_WINDOW, { input: windowInput() });
    expect(created.errors).toBeUndefined();
    const window = created.data?.createMaintenanceWindow as Json;
    expect(window).toMatchObject({
      name: `patching ${RUN}`,
      timeZone: 'Europe/Berlin',
      periods: [{ days: ['SATURDAY', 'SUNDAY'], start: '22:00', end: '06:00' }],
      startsOn: null,
      endsOn: null,
      matchers: { deviceId: null, metric: `cpu-${RUN}`, severities: null },
      notifyResolved: true,
      active: expect.any(Boolean),
      createdBy: operatorEmail,
      updatedBy: operatorEmail,
    });

    // Change: every day, all day, so it is active now.
    const everyDay = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
    const updated = await as(admin)(UPDATE_WINDOW, {
      id: window.id,
      input: windowInput({
        name: `all day ${RUN}`,
        timeZone: 'america/new_york',
        periods: [{ days: everyDay, start: '00:00', end: '24:00' }],
        notifyResolved: false,
      }),
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateMaintenanceWindow).toMatchObject({
      id: window.id,
      name: `all day ${RUN}`,
      timeZone: 'America/New_York',
      notifyResolved: false,
      active: true,
      createdAt: window.createdAt,
      createdBy: operatorEmail,
      updatedBy: 'admin@example.com',
    });
    expect((await as(viewer)(WINDOW, { id: window.id })).data?.maintenanceWindow).toEqual(
      updated.data?.updateMaintenanceWindow,
    );
    const listed = await as(viewer)(`{ maintenanceWindows(limit: 1000) { items { id name } } }`);
    expect(listed.data?.maintenanceWindows.items).toContainEqual({
      id: window.id,
      name: `all day ${RUN}`,
    });

    // Delete
    const deleted = await as(operator)(DELETE_WINDOW, { id: window.id });
    expect(deleted.data?.deleteMaintenanceWindow).toEqual({ id: window.id, deleted: true });
    expect((await as(viewer)(WINDOW, { id: window.id })).data?.maintenanceWindow).toBeNull();
    const relisted = await as(viewer)(`{ maintenanceWindows(limit: 1000) { items { id } } }`);
    expect(relisted.data?.maintenanceWindows.items).not.toContainEqual({ id: window.id });
    const again = await as(operator)(DELETE_WINDOW, { id: window.id });
    expect(again.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    const change = await as(operator)(UPDATE_WINDOW, { id: window.id, input: windowInput() });
    expect(change.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
  });

  it('given a viewer, when they create, change or delete a window, then they are refused and nothing changes', async () => {
    const window = (await as(operator)(CREATE_WINDOW, { input: windowInput() })).data
      ?.createMaintenanceWindow as Json;
    const items = await storedItems();
    const answers = [
      await as(viewer)(CREATE_WINDOW, { input: windowInput() }),
      await as(viewer)(UPDATE_WINDOW, { id: window.id, input: windowInput({ name: 'x' }) }),
      await as(viewer)(DELETE_WINDOW, { id: window.id }),
    ];
    for (const answer of answers) {
      expect(answer.errors?.[0]).toMatchObject({ errorType: 'Unauthorized' });
    }
    expect(await storedItems()).toBe(items);
    expect((await as(viewer)(WINDOW, { id: window.id })).data?.maintenanceWindow).toEqual(window);
  });

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'input.timeZone'],
    [
      'a bad time',
      { periods: [{ days: ['MONDAY'], start: '7:30', end: '09:00' }] },
      'input.periods[0].start',
    ],
    [
      'empty days',
      { periods: [{ days: [], start: '07:30', end: '09:00' }] },
      'input.periods[0].days',
    ],
    ['no periods', { periods: [] }, 'input.periods'],
    [
      'a date range that ends before it starts',
      { startsOn: '2099-06-10', endsOn: '2099-06-01' },
      'input.endsOn',
    ],
    ['matchers on nothing', { matchers: {} }, 'input.matchers'],
  ])(
    'given %s, then the window is refused with a ValidationError naming the field, and nothing is stored',
    async (_case, overrides, field) => {
      const items = await storedItems();
      const answer = await as(admin)(CREATE_WINDOW, { input: windowInput(overrides) });
      expect(answer.errors?.[0]).toMatchObject({ errorType: 'ValidationError' });
      expect(answer.errors?.[0]?.message).toContain(field);
      expect(await storedItems()).toBe(items);
    },
  );
});

describe('a silence on the way of an alert', () => {
  /** Every e-mail in the local inbox that names the device. */
  async function emailsOf(deviceId: string): Promise<Json[]> {
    const url = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
    const emails = (await (await fetch(url)).json()) as Json[];
    return emails.filter((email) => JSON.stringify([email.subject, email.text]).includes(deviceId));
  }

  it('given a silence of a device, when its rule fires, then the alert is recorded and pushed as silenced with no e-mail, and expiring the silence e-mails it once', async () => {
    // Prepare: a silence of the device, then a rule for it, each given the refresh time.
    const deviceId = `muted-${RUN}`;
    const silenceId = (
      await as(operator)(CREATE_SILENCE, {
        input: silenceInput({ matchers: { deviceId }, comment: 'sensor swap' }),
      })
    ).data?.createSilence.id as string;
    await ruleChangesApplied();
    const rule = await as(admin)(
      `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
      { input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 60 } },
    );
    expect(rule.errors).toBeUndefined();
    await ruleChangesApplied();
    const pushed = await stackSubscription(
      stack,
      `subscription ($d: ID) { onAlert(deviceId: $d) { id silenced silenceId } }`,
      { d: deviceId },
    );

    try {
      // Act: a breach.
      const sent = await as(admin)(
        `mutation ($input: EventInput!) { ingestEvent(input: $input) { id } }`,
        { input: { deviceId, metric: 'temperature', value: 75 } },
      );
      expect(sent.errors).toBeUndefined();

      // Assess: recorded and pushed as silenced by this silence, and no e-mail.
      const alert = await waitFor(async () => {
        const answer = await as(viewer)(
          `query ($d: ID) { alerts(deviceId: $d) { items { id status silenced silenceId } } }`,
          { d: deviceId },
        );
        return (answer.data?.alerts.items as Json[] | undefined)?.[0];
      }, 'the alert');
      expect(alert).toMatchObject({ status: 'FIRING', silenced: true, silenceId });
      await waitFor(
        () => pushed.received.some((data) => (data.onAlert as Json | null)?.id === alert.id),
        'the alert pushed',
      );
      expect(pushed.received.map((data) => data.onAlert)).toContainEqual({
        id: alert.id,
        silenced: true,
        silenceId,
      });
      await queueDrained(stack);
      expect(await emailsOf(deviceId)).toEqual([]);

      // Act: the silence expired, the alert still firing.
      const expired = await as(operator)(EXPIRE_SILENCE, { id: silenceId });
      expect(expired.errors).toBeUndefined();

      // Assess: one e-mail tells of it.
      await waitFor(
        async () => (await emailsOf(deviceId)).length > 0,
        'the released e-mail',
        60_000,
      );
      await queueDrained(stack);
      expect(await emailsOf(deviceId)).toHaveLength(1);
    } finally {
      pushed.close();
    }
  }, 120_000);
});
