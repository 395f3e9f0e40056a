import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import {
  AdminRemoveUserFromGroupCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { graphql } from '../support/appsync-client.ts';
import { createUser, userPoolClient } from '../support/users.ts';
import { startTestStack, stackApi } from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const api = stackApi(() => stack);

const INGEST = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id deviceId metric value timestamp } }`;
const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) {
  ingestEvents(input: $input) { accepted rejected results { index event { id value } error { errorType message } } }
}`;
const EVENTS = `query Events($deviceId: ID!, $metric: String, $from: AWSDateTime, $to: AWSDateTime, $limit: Int, $nextToken: String) {
  events(deviceId: $deviceId, metric: $metric, from: $from, to: $to, limit: $limit, nextToken: $nextToken) { items { id metric value timestamp } nextToken }
}`;
type Events = {
  events: { items: { id: string; value: number; timestamp: string }[]; nextToken: string | null };
};

async function storedEvents(deviceId: string): Promise<Events['events']['items']> {
  return (await api<Events>(EVENTS, { deviceId, limit: 1000 })).data?.events.items ?? [];
}

describe('ingesting readings', () => {
  it('given a reading with a client id, when it is sent twice, then it is stored once', async () => {
    const input = {
      id: 'retry-1',
      deviceId: 'R1',
      metric: 'cpu',
      value: 10,
      timestamp: '2026-11-01T10:00:00Z',
    };
    const first = await api(INGEST, { input });
    const again = await api(INGEST, { input });
    expect(first.data).toEqual({
      ingestEvent: {
        id: 'retry-1',
        deviceId: 'R1',
        metric: 'cpu',
        value: 10,
        timestamp: '2026-11-01T10:00:00.000Z',
      },
    });
    expect(again.errors).toBeUndefined();
    await api(INGEST, { input: { ...input, id: 'marker' } });
    await waitFor(
      async () => (await storedEvents('R1')).some((e) => e.id === 'marker'),
      'the marker reading',
    );
    await waitFor(async () => (await storedEvents('R1')).length === 2, 'two distinct readings');
  });

  it('given a batch with good and bad readings, then each outcome is reported in order and only the good are stored', async () => {
    const result = await api<{
      ingestEvents: {
        accepted: number;
        rejected: number;
        results: {
          index: number;
          event: { id: string } | null;
          error: { errorType: string; message: string } | null;
        }[];
      };
    }>(INGEST_MANY, {
      input: [
        { id: 'b-1', deviceId: 'B1', metric: 'cpu', value: 1 },
        { id: 'b-2', deviceId: 'B#1', metric: 'cpu', value: 2 },
        { id: 'b-3', deviceId: 'B1', metric: 'cpu', value: 3, timestamp: '2099-01-01T00:00:00Z' },
        { id: 'b-4', deviceId: 'B1', metric: 'cpu', value: 4 },
      ],
    });
    const outcome = result.data?.ingestEvents;
    expect(outcome?.accepted).toBe(2);
    expect(outcome?.rejected).toBe(2);
    expect(outcome?.results.map((r) => r.event?.id ?? r.error?.errorType)).toEqual([
      'b-1',
      'ValidationError',
      'ValidationError',
      'b-4',
    ]);
    expect(outcome?.results[1]?.error?.message).toContain('input[1].deviceId');
    await waitFor(async () => (await storedEvents('B1')).length === 2, 'the two good readings');
    expect((await storedEvents('B1')).map((e) => e.id).sort()).toEqual(['b-1', 'b-4']);
  });

  it('given more than 1,000 readings in one call, then the call is refused and nothing is stored', async () => {
    const input = Array.from({ length: 1001 }, (_, i) => ({
      id: `big-${i}`,
      deviceId: 'BIG',
      metric: 'cpu',
      value: i,
    }));
    const result = await api(INGEST_MANY, { input });
    expect(result.errors?.[0]).toMatchObject({ errorType: 'ValidationError' });
    expect(result.errors?.[0]?.message).toContain('at most 1000');
    await api(INGEST, { input: { id: 'after-big', deviceId: 'BIG', metric: 'cpu', value: 1 } });
    await waitFor(async () => (await storedEvents('BIG')).length === 1, 'the marker reading alone');
  });

  it.each([
    [
      'an empty device id',
      { deviceId: '', metric: 'cpu', value: 1 },
      'ValidationError',
      'input.deviceId',
    ],
    [
      'a key delimiter in the device id',
      { deviceId: 'X#Y', metric: 'cpu', value: 1 },
      'ValidationError',
      'input.deviceId',
    ],
    [
      'an over-long metric',
      { deviceId: 'X', metric: 'm'.repeat(200), value: 1 },
      'ValidationError',
      'input.metric',
    ],
    [
      'a control character',
      { deviceId: 'X', metric: 'cp\u0007u', value: 1 },
      'ValidationError',
      'control characters',
    ],
    [
      'an impossible date',
      { deviceId: 'X', metric: 'cpu', value: 1, timestamp: '2026-13-01T00:00:00Z' },
      'ValidationError',
      'AWSDateTime',
    ],
    [
      'a time without zone',
      { deviceId: 'X', metric: 'cpu', value: 1, timestamp: '2026-05-01T00:00:00' },
      'ValidationError',
      'AWSDateTime',
    ],
    [
      'a value that is a string',
      { deviceId: 'X', metric: 'cpu', value: 'hot' },
      'ValidationError',
      'Float',
    ],
    ['a missing value', { deviceId: 'X', metric: 'cpu' }, 'ValidationError', 'value'],
  ])(
    'given %s, then a ValidationError names the problem and nothing is stored',
    async (_, input, errorType, words) => {
      const result = await api(INGEST, { input });
      expect(result.errors?.[0]?.errorType).toBe(errorType);
      expect(result.errors?.[0]?.message).toContain(words);
      expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+/);
    },
  );
});

describe('listing readings', () => {
  it('given readings over time, then pages come newest first and a nextToken resumes only the same query', async () => {
    const input = Array.from({ length: 5 }, (_, i) => ({
      id: `p-${i}`,
      deviceId: 'PAGE',
      metric: i % 2 === 0 ? 'even' : 'odd',
      value: i,
      timestamp: `2026-11-01T10:0${i}:00.000Z`,
    }));
    await api(INGEST_MANY, { input });
    await waitFor(async () => (await storedEvents('PAGE')).length === 5, 'five readings');
    const first = await api<Events>(EVENTS, { deviceId: 'PAGE', limit: 2 });
    expect(first.data?.events.items.map((e) => e.id)).toEqual(['p-4', 'p-3']);
    const second = await api<Events>(EVENTS, {
      deviceId: 'PAGE',
      limit: 2,
      nextToken: first.data?.events.nextToken,
    });
    expect(second.data?.events.items.map((e) => e.id)).toEqual(['p-2', 'p-1']);
    const elsewhere = await api<Events>(EVENTS, {
      deviceId: 'B1',
      limit: 2,
      nextToken: first.data?.events.nextToken,
    });
    expect(elsewhere.errors?.[0]?.errorType).toBe('ValidationError');
    const evens = await api<Events>(EVENTS, {
      deviceId: 'PAGE',
      metric: 'even',
      from: '2026-11-01T10:01:00Z',
      to: '2026-11-01T10:04:00Z',
    });
    expect(evens.data?.events.items.map((e) => e.id)).toEqual(['p-4', 'p-2']);
    const backwards = await api<Events>(EVENTS, {
      deviceId: 'PAGE',
      from: '2026-11-02T00:00:00Z',
      to: '2026-11-01T00:00:00Z',
    });
    expect(backwards.errors?.[0]?.message).toContain('from must not be later than to');
  });
});

describe('managing rules', () => {
  const RULE = 'id deviceId metric operator threshold enabled severity name createdAt updatedAt';

  it('given a rule, then it can be read, listed, updated and deleted, and is gone afterwards', async () => {
    const created = await api<{ createRule: { id: string; createdAt: string } }>(
      `mutation { createRule(input: { deviceId: "M1", metric: "cpu", operator: GTE, threshold: 80, name: "  Busy  " }) { ${RULE} } }`,
    );
    const rule = created.data?.createRule;
    expect(rule).toMatchObject({
      deviceId: 'M1',
      enabled: true,
      severity: 'WARNING',
      name: 'Busy',
    });
    const id = rule?.id;
    const read = await api(`query($id: ID!) { rule(id: $id) { ${RULE} } }`, { id });
    expect(read.data?.rule).toEqual(rule);
    const updated = await api<{
      updateRule: { threshold: number; enabled: boolean; updatedAt: string };
    }>(
      `mutation($id: ID!) { updateRule(id: $id, input: { threshold: 90, enabled: false }) { ${RULE} } }`,
      { id },
    );
    expect(updated.data?.updateRule).toMatchObject({
      threshold: 90,
      enabled: false,
      metric: 'cpu',
    });
    const listed = await api<{ rules: { items: { id: string }[] } }>(
      `query { rules(deviceId: "M1") { items { id } nextToken } }`,
    );
    expect(listed.data?.rules.items).toEqual([{ id }]);
    const deleted = await api(`mutation($id: ID!) { deleteRule(id: $id) { id deleted } }`, { id });
    expect(deleted.data).toEqual({ deleteRule: { id, deleted: true } });
    expect((await api(`query($id: ID!) { rule(id: $id) { id } }`, { id })).data).toEqual({
      rule: null,
    });
    const again = await api(`mutation($id: ID!) { deleteRule(id: $id) { id } }`, { id });
    expect(again.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
  });

  it.each([
    ['an unknown operator', 'operator: ABOVE, threshold: 1, metric: "cpu"'],
    ['a missing threshold', 'operator: GT, metric: "cpu"'],
    ['an unknown severity', 'operator: GT, threshold: 1, metric: "cpu", severity: PANIC'],
    ['an empty metric', 'operator: GT, threshold: 1, metric: ""'],
  ])(
    'given %s, then createRule is refused with a ValidationError and no rule is stored',
    async (_, fields) => {
      const before = await api<{ rules: { items: unknown[] } }>(
        `query { rules(limit: 1000) { items { id } } }`,
      );
      const result = await api(`mutation { createRule(input: { ${fields} }) { id } }`);
      expect(result.errors?.[0]?.errorType).toBe('ValidationError');
      const after = await api<{ rules: { items: unknown[] } }>(
        `query { rules(limit: 1000) { items { id } } }`,
      );
      expect(after.data?.rules.items.length).toBe(before.data?.rules.items.length);
    },
  );

  it('given an update of a rule that does not exist, then NotFound', async () => {
    const result = await api(`mutation { updateRule(id: "nope", input: { threshold: 1 }) { id } }`);
    expect(result.errors?.[0]).toMatchObject({
      errorType: 'NotFound',
      message: "No rule with id 'nope'",
    });
  });
});

describe('authentication', () => {
  it('given no credential, a made-up token or a forged JWT, then the request is refused with 401 and UnauthorizedException', async () => {
    const forged = ['{"alg":"none"}', '{"sub":"x","cognito:groups":["admins"]}']
      .map((part) => Buffer.from(part).toString('base64url'))
      .join('.');
    for (const authorization of [null, 'tad_not-a-token', `${forged}.`]) {
      const result = await graphql(
        stack.outputs.GraphQLUrl,
        authorization,
        'query { rules { items { id } } }',
      );
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.errorType).toBe('UnauthorizedException');
    }
  });

  it('given an API key, then the request is refused: the API has no API key mode', async () => {
    const response = await fetch(stack.outputs.GraphQLUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-anoldapikeyanoldapikeyan' },
      body: JSON.stringify({ query: '{ rules { items { id } } }' }),
    });
    expect(response.status).toBe(401);
  });

  it("given a user the AWS SDK's Cognito client created and put in operators, when they sign in, then their token creates a rule in their name; once removed from the group, a refreshed token may no longer", async () => {
    // Prepare
    const cognito = userPoolClient(stack.outputs);
    const operator = await createUser(stack.outputs, 'operators');
    const create = (token: string) =>
      graphql<{ createRule: { id: string; createdBy: string } | null }>(
        stack.outputs.GraphQLUrl,
        token,
        'mutation { createRule(input: { metric: "sdk", operator: GT, threshold: 1 }) { id createdBy } }',
      );

    // Act
    const allowed = await create(operator.idToken);
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: stack.outputs.UserPoolId,
        Username: operator.username,
        GroupName: 'operators',
      }),
    );
    const { AuthenticationResult: refreshed } = await cognito.send(
      new InitiateAuthCommand({
        ClientId: stack.outputs.UserPoolClientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: operator.refreshToken },
      }),
    );
    const refused = await create(refreshed?.IdToken ?? '');

    // Assess
    expect(allowed.data?.createRule?.createdBy).toBe(operator.username);
    expect(refused.status).toBe(200);
    expect(refused.errors?.[0]).toMatchObject({
      errorType: 'Unauthorized',
      message: 'Not Authorized to access createRule on type Mutation',
    });
    const rules = await api<{ rules: { items: { id: string }[] } }>(
      'query { rules(limit: 100) { items { id } } }',
    );
    expect(
      rules.data?.rules.items.filter(({ id }) => id === allowed.data?.createRule?.id),
    ).toHaveLength(1);
  });
});

describe('lifecycle inputs', () => {
  it.each([
    [
      'acknowledgeAlert with a key delimiter in the id',
      'mutation { acknowledgeAlert(id: "a#b") { id } }',
      'ValidationError',
      'id may contain only',
    ],
    [
      'acknowledgeAlert naming who acknowledged (the caller is recorded, never a free argument)',
      'mutation { acknowledgeAlert(id: "a", by: "alice") { id } }',
      'ValidationError',
      'Unknown argument "by"',
    ],
    [
      'acknowledgeAlert of an unknown alert',
      'mutation { acknowledgeAlert(id: "nope") { id } }',
      'NotFound',
      "No alert with id 'nope'",
    ],
    [
      'setRuleEnabled of an unknown rule',
      'mutation { setRuleEnabled(id: "nope", enabled: false) { id } }',
      'NotFound',
      "No rule with id 'nope'",
    ],
    [
      'activeAlerts with a bad device id',
      'query { activeAlerts(deviceId: "") { items { id } } }',
      'ValidationError',
      'deviceId is required',
    ],
    [
      'alerts with an unknown status',
      'query { alerts(status: DONE) { items { id } } }',
      'ValidationError',
      'DONE',
    ],
    [
      'createRule with forReadings 0',
      'mutation { createRule(input: { metric: "m", operator: GT, threshold: 1, forReadings: 0 }) { id } }',
      'ValidationError',
      'forReadings must be a whole number',
    ],
    [
      'createRule with hysteresis on the alerting side',
      'mutation { createRule(input: { metric: "m", operator: GT, threshold: 1, clearThreshold: 5 }) { id } }',
      'ValidationError',
      'alerting side',
    ],
    [
      'createRule with an unknown aggregation',
      'mutation { createRule(input: { metric: "m", operator: GT, threshold: 1, windowSeconds: 60, aggregation: MEDIAN }) { id } }',
      'ValidationError',
      'MEDIAN',
    ],
  ])('given %s, then it is refused with a clear error', async (_, query, errorType, words) => {
    const result = await api(query);
    expect(result.errors?.[0]?.errorType).toBe(errorType);
    expect(result.errors?.[0]?.message).toContain(words);
  });
});
