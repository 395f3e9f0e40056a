import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import type { RealtimeSubscription } from '../support/appsync-client.ts';
import {
  queueDrained,
  ruleChangesApplied,
  startTestStack,
  stackApi,
  stackSubscription,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// A sensor that keeps crossing its threshold, on the local stack: its alerts are recorded and
// pushed marked `flapping`, and flapping is notified once when it starts and once when it
// stops; e-mail tells of the changes before flapping, then only of the start and the stop.

const ON_ALERT = `subscription OnAlert($deviceId: ID) {
  onAlert(deviceId: $deviceId) { id deviceId status flapping }
}`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId, limit: 1000) { items { id status flapping } } }`;
const RULE_FIELDS = 'id flapDetection flapHighPercent flapLowPercent';

type Pushed = { id: string; status: string; flapping: boolean | null };

let stack: LocalStack;
const start = Date.now() - 60_000;
let tick = 0;
/** Strictly increasing event times, so order is the order of the calls. */
const nextTime = () => new Date(start + ++tick * 10).toISOString();

beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const api = stackApi(() => stack);

/**
 * Sends readings in one call of at most 40, so they travel in one message and are evaluated
 * in their order, and waits until they are evaluated and delivered.
 */
async function send(deviceId: string, values: readonly number[]): Promise<void> {
  const input = values.map((value) => ({
    deviceId,
    metric: 'temperature',
    value,
    timestamp: nextTime(),
  }));
  const result = await api<{ ingestEvents: { rejected: number } }>(
    'mutation($input: [EventInput!]!) { ingestEvents(input: $input) { rejected } }',
    { input },
  );
  if (result.errors || result.data?.ingestEvents.rejected) throw new Error(JSON.stringify(result));
  await queueDrained(stack);
}

async function alertsOf(deviceId: string): Promise<Pushed[]> {
  const result = await api<{ alerts: { items: Pushed[] } }>(ALERTS, { deviceId });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.alerts.items;
}

/** The delivery marks of the device's alerts, as the Alerts table holds them. */
async function deliveryMarks(deviceId: string): Promise<string[]> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.DynamoDbEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  const marks: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: stack.outputs.AlertsTableName,
        FilterExpression: 'deviceId = :deviceId',
        ExpressionAttributeValues: { ':deviceId': deviceId },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.delivered instanceof Set) marks.push(...(item.delivered as Set<string>));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  documents.destroy();
  return marks;
}

/**
 * The e-mails about a device in the local inbox, subject and text, lower-cased. E-mails are
 * grouped (docs/on-call.md): one may tell of several of the device's alerts.
 */
async function emailsAbout(deviceId: string): Promise<string[]> {
  const url = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
  const emails = (await (await fetch(url)).json()) as { subject: string; text?: string }[];
  return emails
    .map((email) => `${email.subject}\n${email.text ?? ''}`.toLowerCase())
    .filter((text) => text.includes(deviceId.toLowerCase()));
}

/** How many times `words` appear in these texts. */
const mentions = (texts: readonly string[], words: string) =>
  texts.join('\n').split(words).length - 1;

/** The alerts of these whose id the texts name: those e-mail told of. */
const told = (texts: readonly string[], alerts: readonly { id: string }[]) =>
  alerts.filter((alert) => texts.some((text) => text.includes(alert.id.toLowerCase())));

/** The episode of a rule and device as stored. */
async function episode(ruleId: string, deviceId: string): Promise<Record<string, unknown>> {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.DynamoDbEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  const result = await documents.send(
    new QueryCommand({
      TableName: stack.outputs.EpisodesTableName,
      KeyConditionExpression: 'ruleId = :ruleId AND deviceId = :deviceId',
      ExpressionAttributeValues: { ':ruleId': ruleId, ':deviceId': deviceId },
      ConsistentRead: true,
    }),
  );
  documents.destroy();
  return result.Items?.[0] ?? {};
}

const oscillating = (count: number) =>
  Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 70 : 20));
const pushed = (sub: RealtimeSubscription) => sub.received.map((d) => d.onAlert as Pushed);
const countOf = (marks: string[], prefix: string, channel: string) =>
  marks.filter((mark) => mark.startsWith(prefix) && mark.endsWith(`:${channel}`)).length;

describe('flapping on the local stack', () => {
  it('given a rule, then it reads back with flap detection on at 50 and 25 %; its options change through the API', async () => {
    // Act
    const created = await api<{ createRule: Record<string, unknown> }>(
      `mutation($input: CreateRuleInput!) { createRule(input: $input) { ${RULE_FIELDS} } }`,
      { input: { deviceId: 'F-options', metric: 'temperature', operator: 'GT', threshold: 60 } },
    );
    const id = created.data?.createRule.id;
    const updated = await api<{ updateRule: Record<string, unknown> }>(
      `mutation($id: ID!, $input: UpdateRuleInput!) { updateRule(id: $id, input: $input) { ${RULE_FIELDS} } }`,
      { id, input: { flapDetection: false, flapHighPercent: 40.5, flapLowPercent: 10 } },
    );
    const read = await api<{ rule: Record<string, unknown> }>(
      `query($id: ID!) { rule(id: $id) { ${RULE_FIELDS} } }`,
      { id },
    );

    // Assess
    expect(created.data?.createRule).toMatchObject({
      flapDetection: true,
      flapHighPercent: 50,
      flapLowPercent: 25,
    });
    const changed = { id, flapDetection: false, flapHighPercent: 40.5, flapLowPercent: 10 };
    expect(updated.data?.updateRule).toEqual(changed);
    expect(read.data?.rule).toEqual(changed);
  });

  it.each([
    [{ flapLowPercent: 60 }, 'input.flapLowPercent 60 must be below input.flapHighPercent 50'],
    [{ flapHighPercent: 101 }, 'input.flapHighPercent must be a percent above 0 and at most 100'],
    [{ flapLowPercent: 0 }, 'input.flapLowPercent must be a percent above 0 and at most 100'],
  ])(
    'given %o, then createRule is refused with what to change and nothing is stored',
    async (options, message) => {
      // Prepare
      const deviceId = `F-refused-${Object.keys(options)[0]}`;
      // Act
      const result = await api(
        'mutation($input: CreateRuleInput!) { createRule(input: $input) { id } }',
        { input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 60, ...options } },
      );
      const rules = await api<{ rules: { items: unknown[] } }>(
        'query($deviceId: ID) { rules(deviceId: $deviceId) { items { id } } }',
        { deviceId },
      );
      // Assess
      expect(result.errors?.[0]?.errorType).toBe('ValidationError');
      expect(result.errors?.[0]?.message).toContain(message);
      expect(rules.data?.rules.items).toEqual([]);
    },
  );

  it('given a sensor oscillating, then its alerts are marked flapping in the API and on onAlert; once it settles, flapping stops; FLAPPING and FLAPPING_STOPPED are recorded and pushed once each, and e-mail tells of the changes before flapping, the start and the stop only', async () => {
    // Prepare
    const device = 'F-oscillating';
    const sub = await stackSubscription(stack, ON_ALERT, { deviceId: device });
    const created = await api<{ createRule: { id: string } }>(
      'mutation($input: CreateRuleInput!) { createRule(input: $input) { id } }',
      { input: { deviceId: device, metric: 'temperature', operator: 'GT', threshold: 60 } },
    );
    const ruleId = created.data?.createRule.id ?? '';
    await ruleChangesApplied();

    // Act: 40 readings each crossing the threshold.
    await send(device, oscillating(40));

    // Assess: flapping, with alerts marked in the API and in the pushes.
    await waitFor(() => pushed(sub).some((alert) => alert.flapping === true), 'a flapping push');
    const whileFlapping = await alertsOf(device);
    expect(whileFlapping).toHaveLength(20);
    expect(whileFlapping.filter((alert) => alert.flapping === true).length).toBeGreaterThan(10);
    expect(await episode(ruleId, device)).toMatchObject({ flapping: true });

    // Act: the sensor settles, well below the threshold.
    await send(device, Array<number>(25).fill(20));

    // Assess: one stop, carried by the alert that resolved last, no longer flapping.
    const stopped = (await episode(ruleId, device)) as { flapping: boolean; flapHistory: number };
    expect(stopped).toMatchObject({ flapping: false, flapHistory: 0 });
    const after = await alertsOf(device);
    expect(after.filter((alert) => alert.flapping === false)).toHaveLength(1);
    const marks = await deliveryMarks(device);
    for (const channel of ['push', 'email']) {
      expect(countOf(marks, 'FLAPPING@', channel)).toBe(1);
      expect(countOf(marks, 'FLAPPING_STOPPED@', channel)).toBe(1);
    }
    // Every notification was pushed: 20 firings, 20 resolutions, the start and the stop.
    await waitFor(() => sub.received.length >= 42, 'every push');
    expect(pushed(sub).at(-1)).toMatchObject({ status: 'RESOLVED', flapping: false });
    // E-mail: the changes before flapping (the ninth starts it), the start and the stop: one
    // start and one stop told, and not every alert.
    const texts = await waitFor(async () => {
      const found = await emailsAbout(device);
      return mentions(found, 'flapping stopped') > 0 ? found : null;
    }, 'the e-mail of the stop');
    // (Exactly once each on e-mail: the delivery marks above say so; a grouped message names
    // a kind in its subject's counts and its list both.)
    expect(mentions(texts, 'flapping started')).toBeGreaterThan(0);
    expect(told(texts, after).length).toBeLessThan(after.length);
    sub.close();
  });

  it('given flapDetection false, then the same sensor is never marked flapping and is e-mailed at every change', async () => {
    // Prepare
    const device = 'F-undetected';
    const sub = await stackSubscription(stack, ON_ALERT, { deviceId: device });
    await api('mutation($input: CreateRuleInput!) { createRule(input: $input) { id } }', {
      input: {
        deviceId: device,
        metric: 'temperature',
        operator: 'GT',
        threshold: 60,
        flapDetection: false,
      },
    });
    await ruleChangesApplied();

    // Act
    await send(device, oscillating(20));

    // Assess
    await waitFor(() => sub.received.length >= 20, 'every firing and resolution pushed');
    expect(pushed(sub).some((alert) => alert.flapping)).toBe(false);
    expect((await alertsOf(device)).some((alert) => alert.flapping)).toBe(false);
    expect((await deliveryMarks(device)).some((mark) => mark.startsWith('FLAPPING'))).toBe(false);
    // Every alert told by e-mail (grouped: a message may tell of several), none as flapping.
    const alerts = await alertsOf(device);
    expect(alerts).toHaveLength(10);
    const texts = await waitFor(async () => {
      const found = await emailsAbout(device);
      return told(found, alerts).length === alerts.length ? found : null;
    }, 'every alert e-mailed');
    expect(mentions(texts, 'flapping')).toBe(0);
    sub.close();
  });
});
