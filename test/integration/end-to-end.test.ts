import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import {
  queueDrained,
  ruleChangesApplied,
  startTestStack,
  stackApi,
  stackSubscription,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

const ON_ALERT = `subscription OnAlert($deviceId: ID) {
  onAlert(deviceId: $deviceId) { id ruleId deviceId metric value threshold operator severity status firedAt }
}`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) {
  createRule(input: $input) { id deviceId metric operator threshold enabled severity createdAt }
}`;
const INGEST = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id deviceId metric value timestamp } }`;
const EVENTS = `query Events($deviceId: ID!) { events(deviceId: $deviceId) { items { id value timestamp } nextToken } }`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId) { items { id ruleId deviceId value threshold severity } } }`;

let stack: LocalStack;

beforeAll(async () => {
  // The worker on its own thread, as npm start runs it.
  stack = await startTestStack({
    worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 2, thread: true },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const api = stackApi(() => stack);

describe('the local stack, end to end', () => {
  it('given subscribers and a rule for D1, when a breaching and a normal reading arrive, then one alert fires and resolves, reaching the D1 and catch-all subscribers, the inbox and the queries', async () => {
    // Prepare
    const open = (variables: Record<string, unknown>) =>
      stackSubscription(stack, ON_ALERT, variables);
    const [forD1, forD2, forAll] = await Promise.all([
      open({ deviceId: 'D1' }),
      open({ deviceId: 'D2' }),
      open({}),
    ]);
    const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
      input: {
        deviceId: 'D1',
        metric: 'temperature',
        operator: 'GT',
        threshold: 60,
        severity: 'CRITICAL',
        name: 'Boiler too hot',
      },
    });
    expect(created.errors).toBeUndefined();
    const ruleId = created.data?.createRule.id;
    await ruleChangesApplied();

    // Act
    const breaching = await api(INGEST, {
      input: { deviceId: 'D1', metric: 'temperature', value: 75.5 },
    });
    // Evaluated in event-time order: the normal reading must not be applied first. The
    // drained queue holds no flush of the alert's e-mail group either: it went out.
    await queueDrained(stack);
    const normal = await api(INGEST, {
      input: { deviceId: 'D1', metric: 'temperature', value: 20 },
    });
    expect(breaching.errors).toBeUndefined();
    expect(normal.errors).toBeUndefined();

    // Assess
    await waitFor(
      async () =>
        (await api<{ events: { items: unknown[] } }>(EVENTS, { deviceId: 'D1' })).data?.events.items
          .length === 2,
      'both readings stored',
    );
    await queueDrained(stack);
    await waitFor(
      () => forD1.received.length >= 2 && forAll.received.length >= 2,
      'the firing and the resolution pushed',
    );
    const alerts = await api<{ alerts: { items: { id: string }[] } }>(ALERTS, { deviceId: 'D1' });
    expect(alerts.data?.alerts.items).toHaveLength(1);
    expect(alerts.data?.alerts.items[0]).toMatchObject({
      ruleId,
      deviceId: 'D1',
      value: 75.5,
      threshold: 60,
      severity: 'CRITICAL',
    });
    const pushed = { ruleId, deviceId: 'D1', value: 75.5, operator: 'GT' };
    expect(forD1.received).toEqual([
      { onAlert: expect.objectContaining({ ...pushed, status: 'FIRING' }) },
      { onAlert: expect.objectContaining({ ...pushed, status: 'RESOLVED' }) },
    ]);
    expect(forAll.received).toHaveLength(2);
    expect(forD2.received).toEqual([]);

    const inbox = async () =>
      (await (
        await fetch(`${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`)
      ).json()) as { subject: string; text?: string; to: { address: string }[] }[];
    const mail = await waitFor(
      async () => (await inbox()).find((email) => email.subject.startsWith('[CRITICAL] D1')),
      'the alert e-mail',
    );
    expect(mail.subject).toBe('[CRITICAL] D1: temperature > 60 (value 75.5)');
    expect(mail.to[0]?.address).toBe('oncall@example.com');
    const resolution = await waitFor(
      async () => (await inbox()).find((email) => email.subject.startsWith('[RESOLVED] D1')),
      'the resolution e-mail',
    );
    expect(resolution.text).toContain('Resolved: Boiler too hot');
    expect((await inbox()).filter((email) => / D1: /.test(email.subject))).toHaveLength(2);
    for (const s of [forD1, forD2, forAll]) s.close();
  });

  it('given an API-key caller, when it forges publishAlert, then it is refused and nothing is pushed', async () => {
    const watcher = await stackSubscription(stack, ON_ALERT);
    const forged = await api(
      `mutation { publishAlert(input: { id: "fake", ruleId: "r", deviceId: "D9", metric: "m", value: 1, threshold: 0, operator: GT, severity: CRITICAL, status: FIRING, reason: THRESHOLD, firedAt: "2026-05-01T12:00:00.000Z" }) { id } }`,
    );
    expect(forged.data).toEqual({ publishAlert: null });
    expect(forged.errors?.[0]?.errorType).toBe('Unauthorized');
    // A genuine alert after the forgery shows the subscription is live and got nothing else.
    await api(CREATE_RULE, {
      input: { deviceId: 'D9', metric: 'm', operator: 'GT', threshold: 0 },
    });
    await ruleChangesApplied();
    await api(INGEST, { input: { deviceId: 'D9', metric: 'm', value: 5 } });
    await waitFor(() => watcher.received.length >= 1, 'the genuine alert');
    expect(watcher.received.map((d) => (d.onAlert as { id: string }).id)).not.toContain('fake');
    watcher.close();
  });

  it('given a poison record in a batch, then it ends in the dead-letter queue while its batch-mates are stored', async () => {
    const sqs = new SQSClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.SqsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const good = (id: string) =>
      JSON.stringify({
        id,
        deviceId: 'P1',
        metric: 'cpu',
        value: 1,
        timestamp: new Date().toISOString(),
      });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.outputs.EvaluationQueueUrl,
        Entries: [
          { Id: '1', MessageBody: good('mate-1') },
          { Id: '2', MessageBody: '{"this is": "not a reading"}' },
          { Id: '3', MessageBody: good('mate-2') },
        ],
      }),
    );
    const dead = await waitFor(async () => {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.outputs.DeadLetterQueueUrl,
          WaitTimeSeconds: 1,
        }),
      );
      return result.Messages?.[0];
    }, 'the poison record in the dead-letter queue');
    expect(dead.Body).toBe('{"this is": "not a reading"}');
    const events = await api<{ events: { items: { id: string }[] } }>(EVENTS, { deviceId: 'P1' });
    expect(events.data?.events.items.map((e) => e.id).sort()).toEqual(['mate-1', 'mate-2']);
  });
});
