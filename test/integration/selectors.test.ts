import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import type { RealtimeSubscription } from '../../local/realtime-client.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackApi,
  stackSubscription,
  startTestStack,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// Label selectors against the local stack: a selector rule fires for the devices whose labels
// it selects and no others, follows relabelling, resolves an alert when its device leaves the
// selector (or the rule's selector changes so that it no longer selects the device), and its
// alerts carry the device's labels in the record, the e-mail, the SNS message attributes and
// onAlert.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by assertions
type Json = Record<string, any>;

let stack: LocalStack;
const api = stackApi(() => stack);
const RUN = randomUUID().slice(0, 8);
const METRIC = `temperature-${RUN}`;
const BERLIN = `boiler-berlin-${RUN}`;
const PARIS = `boiler-paris-${RUN}`;
const LYON = `boiler-lyon-${RUN}`;

const UPDATE_DEVICE = `mutation ($id: ID!, $input: UpdateDeviceInput!) {
  updateDevice(id: $id, input: $input) { id labels { key value } }
}`;
const CREATE_RULE = `mutation ($input: CreateRuleInput!) {
  createRule(input: $input) { id deviceId selector { key operator values } }
}`;
const ALERTS = `query ($deviceId: ID) {
  alerts(deviceId: $deviceId) {
    items { id ruleId deviceId status labels { key value } resolution }
  }
}`;
const ON_ALERT = `subscription {
  onAlert { id ruleId deviceId status labels { key value } resolution }
}`;

interface Email {
  subject: string;
  text?: string;
}
interface SnsEnvelope {
  Subject?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

let sqs: SQSClient;
let snsQueueUrl: string;
const snsMessages: SnsEnvelope[] = [];
let pushes: RealtimeSubscription;

beforeAll(async () => {
  stack = await startTestStack();
  // A queue subscribed to the alerts topic beside the e-mail relay's, to read what SNS sends.
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const { Region: region, SqsEndpoint, SnsEndpoint, AlertsTopicArn } = stack.outputs;
  sqs = new SQSClient({ region, endpoint: SqsEndpoint, credentials });
  const sns = new SNSClient({ region, endpoint: SnsEndpoint, credentials });
  snsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `sns-copy-${RUN}` })))
    .QueueUrl as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: snsQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: AlertsTopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
    }),
  );
  pushes = await stackSubscription(stack, ON_ALERT);
}, 60_000);

afterAll(async () => {
  pushes?.close();
  await stack?.stop();
});

async function ingest(deviceId: string, value: number): Promise<void> {
  const answer = await api<Json>(
    `mutation ($input: EventInput!) { ingestEvent(input: $input) { id } }`,
    { input: { deviceId, metric: METRIC, value } },
  );
  expect(answer.errors).toBeUndefined();
  await queueDrained(stack);
}

async function label(deviceId: string, labels: Record<string, string>): Promise<void> {
  const answer = await api<Json>(UPDATE_DEVICE, {
    id: deviceId,
    input: { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) },
  });
  expect(answer.errors).toBeUndefined();
}

async function alertsOf(deviceId: string): Promise<Json[]> {
  const answer = await api<Json>(ALERTS, { deviceId });
  expect(answer.errors).toBeUndefined();
  return (answer.data?.alerts.items ?? []) as Json[];
}

async function inbox(): Promise<Email[]> {
  const url = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
  return (await (await fetch(url)).json()) as Email[];
}

async function snsMessage(match: (m: SnsEnvelope) => boolean): Promise<SnsEnvelope> {
  return waitFor(async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: snsQueueUrl, MaxNumberOfMessages: 10 }),
    );
    for (const message of Messages ?? []) snsMessages.push(JSON.parse(message.Body ?? '{}'));
    return snsMessages.find(match);
  }, 'the SNS message');
}

describe('label selectors on rules', () => {
  let ruleId: string;

  it('given a rule selecting site=berlin, then a breach of a Berlin device fires with its labels in the record, the e-mail, SNS and onAlert, and a Paris device does not fire', async () => {
    // Prepare: both devices enter the inventory with a normal reading, then are labelled.
    await ingest(BERLIN, 20);
    await ingest(PARIS, 20);
    await label(BERLIN, { site: 'berlin', model: 'b200' });
    await label(PARIS, { site: 'paris', model: 'b200' });
    const created = await api<Json>(CREATE_RULE, {
      input: {
        selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
        metric: METRIC,
        operator: 'GT',
        threshold: 60,
        severity: 'CRITICAL',
        name: 'Berlin boilers too hot',
      },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data?.createRule).toMatchObject({
      deviceId: null,
      selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
    });
    ruleId = created.data?.createRule.id as string;
    const stored = await api<Json>(
      `query ($id: ID!) { rule(id: $id) { selector { key values } } }`,
      {
        id: ruleId,
      },
    );
    expect(stored.data?.rule.selector).toEqual([{ key: 'site', values: ['berlin'] }]);
    await ruleChangesApplied();

    // Act
    await ingest(BERLIN, 75);
    await ingest(PARIS, 75);

    // Assess
    const labels = [
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ];
    expect(await alertsOf(BERLIN)).toEqual([
      expect.objectContaining({ ruleId, status: 'FIRING', labels }),
    ]);
    expect(await alertsOf(PARIS)).toEqual([]);
    const mail = await waitFor(
      async () => (await inbox()).find((e) => e.subject.startsWith(`[CRITICAL] ${BERLIN}`)),
      'the alert e-mail',
    );
    expect(mail.text).toContain('Labels:     model=b200, site=berlin');
    const sent = await snsMessage((m) => m.Subject?.startsWith(`[CRITICAL] ${BERLIN}`) === true);
    expect(sent.MessageAttributes?.labels).toEqual({
      Type: 'String.Array',
      Value: '["model=b200","site=berlin"]',
    });
    expect(sent.MessageAttributes?.deviceId?.Value).toBe(BERLIN);
    await waitFor(
      () => pushes.received.some((d) => (d.onAlert as Json).deviceId === BERLIN),
      'the alert pushed',
    );
    expect(pushes.received.map((d) => d.onAlert)).toEqual([
      expect.objectContaining({ ruleId, deviceId: BERLIN, status: 'FIRING', labels }),
    ]);
  });

  it('given the Paris device relabelled site=berlin, then its next breach fires the selector rule', async () => {
    // Act: a label change applies to the next batch (labels are read per batch).
    await label(PARIS, { site: 'berlin' });
    await ingest(PARIS, 80);

    // Assess
    expect(await alertsOf(PARIS)).toEqual([
      expect.objectContaining({
        ruleId,
        status: 'FIRING',
        labels: [{ key: 'site', value: 'berlin' }],
      }),
    ]);
  });

  it('given a firing Berlin device relabelled site=munich, then its alert resolves saying it left the selector, keeping the labels it fired with', async () => {
    // Act
    await label(BERLIN, { site: 'munich', model: 'b200' });

    // Assess
    const resolved = await waitFor(async () => {
      const [alert] = await alertsOf(BERLIN);
      return alert?.status === 'RESOLVED' ? alert : undefined;
    }, 'the alert resolved');
    expect(resolved.labels).toEqual([
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ]);
    const mail = await waitFor(
      async () => (await inbox()).find((e) => e.subject.startsWith(`[RESOLVED] ${BERLIN}`)),
      'the resolution e-mail',
    );
    expect(mail.text).toContain("Why:        the device no longer matches the rule's selector");
    await waitFor(
      () =>
        pushes.received.some(
          (d) =>
            (d.onAlert as Json).deviceId === BERLIN && (d.onAlert as Json).status === 'RESOLVED',
        ),
      'the resolution pushed',
    );
    // The relabelled Paris device still matches: its alert stays open.
    expect((await alertsOf(PARIS))[0]?.status).toBe('FIRING');
    // And a breach of the Munich device no longer fires.
    await ingest(BERLIN, 90);
    expect(await alertsOf(BERLIN)).toHaveLength(1);
    expect(resolved.resolution).toBe("the device no longer matches the rule's selector");
  });

  it("given the rule's selector changed to need a model, then the alert of the firing device without one resolves saying the selector no longer selects it, and a firing device with one keeps its alert", async () => {
    // Prepare: a Lyon device labelled site=berlin with a model fires beside the Paris device
    // (labelled site=berlin, no model).
    await ingest(LYON, 20);
    await label(LYON, { site: 'berlin', model: 'b300' });
    await ingest(LYON, 85);
    expect((await alertsOf(LYON))[0]?.status).toBe('FIRING');

    // Act
    const updated = await api<Json>(
      `mutation ($id: ID!, $input: UpdateRuleInput!) {
        updateRule(id: $id, input: $input) { id selector { key operator values } }
      }`,
      {
        id: ruleId,
        input: {
          selector: [
            { key: 'site', operator: 'EQ', values: ['berlin'] },
            { key: 'model', operator: 'EXISTS' },
          ],
        },
      },
    );
    expect(updated.errors).toBeUndefined();

    // Assess
    const resolved = await waitFor(async () => {
      const [alert] = await alertsOf(PARIS);
      return alert?.status === 'RESOLVED' ? alert : undefined;
    }, 'the Paris alert resolved');
    expect(resolved).toMatchObject({
      ruleId,
      resolution: "the rule's selector no longer selects the device",
      labels: [{ key: 'site', value: 'berlin' }],
    });
    const mail = await waitFor(
      async () => (await inbox()).find((e) => e.subject.startsWith(`[RESOLVED] ${PARIS}`)),
      'the resolution e-mail',
    );
    expect(mail.text).toContain("Why:        the rule's selector no longer selects the device");
    const pushed = await waitFor(
      () =>
        pushes.received
          .map((d) => d.onAlert as Json)
          .find((a) => a.deviceId === PARIS && a.status === 'RESOLVED'),
      'the resolution pushed',
    );
    expect(pushed.resolution).toBe("the rule's selector no longer selects the device");
    await queueDrained(stack);
    expect(await alertsOf(LYON)).toEqual([
      expect.objectContaining({ ruleId, status: 'FIRING', resolution: null }),
    ]);
    // Once the workers have the change, a breach of the Paris device no longer fires.
    await ruleChangesApplied();
    await ingest(PARIS, 95);
    expect(await alertsOf(PARIS)).toHaveLength(1);
  });
});
