import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../local/free-ports.ts';
import type { LocalStack, LocalStackOutputs } from '../../local/stack.ts';
import { graphql } from '../support/appsync-client.ts';
import { startTestStack, stackSubscription } from '../support/local-stack.ts';
import { localAdmin } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

// An alert storm: 500 devices breach one rule within a few seconds. Every alert is recorded
// and pushed, one by one, while the e-mail channel groups them: a handful of e-mails, each
// listing its alerts, every alert in exactly one. Then the same storm with the stack killed
// (SIGKILL) in its middle: after a restart no alert is missing from the e-mails and none is
// listed twice.

const DEVICES = 500;
/** The storm's readings: batches of 50, one after the other (500 devices in a few seconds). */
const BATCH = 50;
/**
 * The rule's grouping: the first e-mail 10 s after the first alert, then at most one per
 * 10 s. A storm evaluated over up to 30 s (a busy machine) is thus at most 3 e-mails.
 */
const GROUPING = { groupWaitSeconds: 10, groupIntervalSeconds: 10 };

const CREATE_RULE = `mutation ($input: CreateRuleInput!) {
  createRule(input: $input) { id groupBy groupWaitSeconds groupIntervalSeconds }
}`;
const INGEST = `mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const ALERTS = `query ($ruleId: ID, $token: String) {
  alerts(ruleId: $ruleId, limit: 1000, nextToken: $token) { items { id deviceId } nextToken }
}`;

type Call = <T>(
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{
  data?: T | null;
  errors?: { message: string }[];
}>;

function caller(outputs: () => LocalStackOutputs): Call {
  return async (query, variables) =>
    graphql(outputs().GraphQLUrl, (await localAdmin(outputs())).idToken, query, variables);
}

/** The storm's devices' breaching readings, in batches: their times 10 ms apart, 5 s in all. */
function stormBatches(run: string, metric: string, from: number) {
  const readings = Array.from({ length: DEVICES }, (_, i) => ({
    id: `storm-${i}`,
    deviceId: `storm-${run}-${String(i).padStart(3, '0')}`,
    metric,
    value: 90 + (i % 10),
    timestamp: new Date(from + i * 10).toISOString(),
  }));
  const batches: (typeof readings)[] = [];
  for (let start = 0; start < readings.length; start += BATCH) {
    batches.push(readings.slice(start, start + BATCH));
  }
  return batches;
}

async function createStormRule(api: Call, metric: string, name: string): Promise<string> {
  const created = await api<{ createRule: Record<string, unknown> }>(CREATE_RULE, {
    input: { metric, operator: 'GT', threshold: 80, severity: 'CRITICAL', name, ...GROUPING },
  });
  expect(created.errors).toBeUndefined();
  expect(created.data?.createRule).toMatchObject({ groupBy: null, ...GROUPING });
  return created.data?.createRule.id as string;
}

/** Every alert of the rule, as the API lists them. */
async function alertsOf(api: Call, ruleId: string): Promise<{ id: string; deviceId: string }[]> {
  const found: { id: string; deviceId: string }[] = [];
  let token: string | null = null;
  do {
    const page: {
      data?: {
        alerts: { items: { id: string; deviceId: string }[]; nextToken: string | null };
      } | null;
    } = await api(ALERTS, { ruleId, token });
    found.push(...(page.data?.alerts.items ?? []));
    token = page.data?.alerts.nextToken ?? null;
  } while (token);
  return found;
}

/** The alert ids an e-mail lists, one per line (`… alert <id>`), or the one alert's id. */
function listedIds(text: string): string[] {
  const ids = [...text.matchAll(/ alert ([0-9a-f]{32})$/gm)].map((match) => match[1] as string);
  const single = /^Alert id:\s+([0-9a-f]{32})$/m.exec(text)?.[1];
  return single ? [...ids, single] : ids;
}

/** Every id listed, and how often: each alert must be listed exactly once. */
function tally(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of texts.flatMap(listedIds)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('an alert storm', () => {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack({
      worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 4 },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('given 500 devices breaching one rule within 10 s, then every alert is recorded and pushed, and at most 3 e-mails list them, each alert in exactly one', async () => {
    // Prepare
    const running = stack as LocalStack;
    const api = caller(() => running.outputs);
    const run = randomUUID().slice(0, 8);
    const metric = `storm-${run}`;
    const name = `Storm ${run}`;
    const ruleId = await createStormRule(api, metric, name);
    const pushes = await stackSubscription(
      running,
      'subscription { onAlert { id ruleId deviceId status } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the rule reaches the worker

    // Act
    const started = Date.now();
    for (const batch of stormBatches(run, metric, started)) {
      const answer = await api<{ ingestEvents: { accepted: number } }>(INGEST, { input: batch });
      expect(answer.data?.ingestEvents.accepted).toBe(batch.length);
    }
    const sentIn = Date.now() - started;

    // Assess: every alert recorded and pushed, one push each.
    const alerts = await waitFor(
      async () => {
        const found = await alertsOf(api, ruleId);
        return found.length >= DEVICES ? found : null;
      },
      'every alert recorded',
      60_000,
    );
    const recordedIn = Date.now() - started;
    expect(alerts).toHaveLength(DEVICES);
    expect(new Set(alerts.map((alert) => alert.deviceId)).size).toBe(DEVICES);
    const ids = new Set(alerts.map((alert) => alert.id));
    await waitFor(
      () =>
        pushes.received.filter((d) => (d.onAlert as { ruleId: string }).ruleId === ruleId).length >=
        DEVICES,
      'every alert pushed',
      30_000,
    );
    const pushed = pushes.received
      .map((d) => d.onAlert as { id: string; ruleId: string })
      .filter((alert) => alert.ruleId === ruleId);
    expect(pushed).toHaveLength(DEVICES);
    expect(new Set(pushed.map((alert) => alert.id))).toEqual(ids);
    pushes.close();

    // Assess: the e-mails. Once every alert is listed and nothing more is due, count them.
    const inbox = `${running.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
    const stormMails = async () =>
      ((await (await fetch(inbox)).json()) as { subject: string; text?: string }[]).filter((mail) =>
        mail.text?.includes(`(${ruleId})`),
      );
    await waitFor(
      async () => tally((await stormMails()).map((mail) => mail.text ?? '')).size >= DEVICES,
      'every alert listed in an e-mail',
      60_000,
    );
    await nothingDue(running.outputs);
    const mails = await stormMails();
    const listed = tally(mails.map((mail) => mail.text ?? ''));
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails.length).toBeLessThanOrEqual(3);
    expect(new Set(listed.keys())).toEqual(ids);
    expect([...listed.values()].every((count) => count === 1)).toBe(true);
    for (const mail of mails) expect(mail.subject.startsWith('[CRITICAL] ')).toBe(true);
    console.info(
      `alert storm: ${DEVICES} readings sent in ${sentIn} ms, alerts recorded by ${recordedIn} ms, ${mails.length} e-mails listing ${mails
        .map((mail) => listedIds(mail.text ?? '').length)
        .join(' + ')}, all listed ${Date.now() - started} ms after the first reading`,
    );
  }, 150_000);

  it('given a rule grouped by site, when devices of two sites breach, then each site gets its own message, listing its alerts, with attributes a filter policy can route by', async () => {
    // Prepare
    const running = stack as LocalStack;
    const api = caller(() => running.outputs);
    const topic = await TopicCopy.subscribe(running.outputs, 'grouped-by-site');
    const run = randomUUID().slice(0, 8);
    const metric = `sites-${run}`;
    const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
      input: {
        metric,
        operator: 'GT',
        threshold: 80,
        severity: 'WARNING',
        name: `Sites ${run}`,
        groupBy: ['site'],
        groupWaitSeconds: 1,
      },
    });
    expect(created.errors).toBeUndefined();
    const ruleId = created.data?.createRule.id as string;
    const devices = { berlin: ['b1', 'b2'], paris: ['p1'] };
    for (const [site, ids] of Object.entries(devices)) {
      for (const id of ids) {
        const deviceId = `${id}-${run}`;
        await api(INGEST, { input: [{ deviceId, metric, value: 1 }] });
        await waitFor(
          async () =>
            (
              await api<{ updateDevice: { id: string } | null }>(
                `mutation ($id: ID!, $site: String!) { updateDevice(id: $id, input: { labels: [{ key: "site", value: $site }] }) { id } }`,
                { id: deviceId, site },
              )
            ).data?.updateDevice,
          `device ${deviceId} in the inventory`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // labels and rule reach the worker

    // Act
    const breaches = Object.values(devices)
      .flat()
      .map((id) => ({ deviceId: `${id}-${run}`, metric, value: 95 }));
    await api(INGEST, { input: breaches });

    // Assess
    await waitFor(async () => {
      await topic.read();
      return tally(topic.messages.map((m) => m.Message)).size >= 3;
    }, 'both sites’ messages');
    await nothingDue(running.outputs);
    await topic.read();
    const bySite = new Map(
      topic.messages
        .filter((m) => m.Message.includes(`(${ruleId})`))
        .map((m) => [JSON.parse(m.MessageAttributes?.labels?.Value ?? '[]').join(','), m]),
    );
    expect([...bySite.keys()].sort()).toEqual(['site=berlin', 'site=paris']);
    const berlin = bySite.get('site=berlin');
    expect(listedIds(berlin?.Message ?? '')).toHaveLength(2);
    expect(berlin?.Message).toContain('Group:      site=berlin');
    expect(berlin?.MessageAttributes).toMatchObject({
      ruleId: { Value: ruleId },
      severity: { Value: 'WARNING' },
      kind: { Type: 'String.Array', Value: '["FIRING"]' },
    });
    expect(berlin?.MessageAttributes?.deviceId).toBeUndefined();
    const paris = bySite.get('site=paris');
    expect(listedIds(paris?.Message ?? '')).toHaveLength(1);
    expect(paris?.MessageAttributes?.deviceId?.Value).toBe(`p1-${run}`);
  }, 60_000);
});

/** Waits until the evaluation queue holds nothing: no reading, no work, no flush still due. */
async function nothingDue(outputs: LocalStackOutputs): Promise<void> {
  const sqs = new SQSClient({
    region: outputs.Region,
    endpoint: outputs.SqsEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await waitFor(
    async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: outputs.EvaluationQueueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return Object.values(Attributes ?? {}).every((count) => count === '0');
    },
    'the evaluation queue to hold nothing due',
    30_000,
  );
}

/** The stack's state, kept across the kill and the restart. */
const stateDir = mkdtempSync(join(tmpdir(), 'telemetry-storm-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs `npm start`'s entry point with state under `stateDir`, as restart.test.ts does. */
async function startKept(env: Record<string, string>): Promise<{
  child: ChildProcess;
  outputs: LocalStackOutputs;
}> {
  const outputsFile = join(stateDir, 'outputs.json');
  rmSync(outputsFile, { force: true });
  const child = spawn(
    process.execPath,
    [new URL('../../local/start.ts', import.meta.url).pathname],
    {
      env: { ...process.env, ...env, LOCAL_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  await waitFor(
    () => existsSync(outputsFile) || child.exitCode !== null,
    'the stack to write outputs.json',
    30_000,
  );
  if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
  const outputs = (
    JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, LocalStackOutputs>
  ).TelemetryAlerts as LocalStackOutputs;
  return { child, outputs };
}

/** What the alerts topic sent, read from a queue subscribed to it (kept with the stack's state). */
class TopicCopy {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly messages: {
    Subject?: string;
    Message: string;
    MessageAttributes?: Record<string, { Type: string; Value: string }>;
  }[] = [];

  private constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  static async subscribe(
    outputs: LocalStackOutputs,
    name = 'storm-topic-copy',
  ): Promise<TopicCopy> {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const sqs = new SQSClient({
      region: outputs.Region,
      endpoint: outputs.SqsEndpoint,
      credentials,
    });
    const sns = new SNSClient({
      region: outputs.Region,
      endpoint: outputs.SnsEndpoint,
      credentials,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: outputs.AlertsTopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
      }),
    );
    return new TopicCopy(sqs, QueueUrl as string);
  }

  /** Takes what arrived off the queue (each message once). */
  async read(): Promise<void> {
    for (;;) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.#queueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) this.messages.push(JSON.parse(message.Body ?? '{}'));
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: Messages.map((message, i) => ({
            Id: String(i),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }
}

describe('an alert storm, with the stack killed in its middle', () => {
  it("given the stack killed with SIGKILL in the middle of the storm, after the group's first message, then after a restart every alert is recorded and listed in exactly one group message: no group lost, none sent twice", async () => {
    // Prepare
    const names = ['PORT', 'HTTPS_PORT', 'CONSOLE_PORT', 'DYNAMODB_PORT', 'SQS_PORT'];
    names.push('SMTP_PORT', 'INBOX_PORT', 'COGNITO_PORT', 'CLOUDWATCH_PORT');
    const ports = await freePorts(names.length);
    const env = {
      ...Object.fromEntries(names.map((name, i) => [name, String(ports[i])])),
      LOG_LEVEL: 'ERROR',
      // A reading whose delivery the kill cut short waits for its claims to run out (10 s,
      // the least lease): its message must be received fewer than 5 times meanwhile, or it
      // goes to the dead-letter queue.
      DELIVERY_LEASE_SECONDS: '10',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      EPISODE_CHECK_MS: '500',
      RULES_REFRESH_MS: '200',
    };
    let stack = await startKept(env);
    const api = caller(() => stack.outputs);
    const topic = await TopicCopy.subscribe(stack.outputs);
    const run = randomUUID().slice(0, 8);
    const metric = `storm-${run}`;
    const ruleId = await createStormRule(api, metric, `Storm ${run}`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the rule reaches the worker
    const batches = stormBatches(run, metric, Date.now());

    // Act: half the storm, until the group's first message is out; then more, and the kill
    // while it comes in; a restart; the rest (from the first batch not acknowledged).
    const ingest = async (batch: (typeof batches)[number]) => {
      const answer = await api<{ ingestEvents: { accepted: number } }>(INGEST, { input: batch });
      expect(answer.data?.ingestEvents.accepted).toBe(batch.length);
    };
    const half = batches.length / 2;
    for (const batch of batches.slice(0, half)) await ingest(batch);
    const ofRule = () => topic.messages.filter((m) => m.Message.includes(`(${ruleId})`));
    await waitFor(
      async () => {
        await topic.read();
        return ofRule().length > 0;
      },
      "the group's first message",
      60_000,
    );
    let acknowledged = half;
    for (const batch of batches.slice(half, half + 2)) {
      await ingest(batch);
      acknowledged += 1;
    }
    stack.child.kill('SIGKILL');
    await waitFor(
      () => stack.child.exitCode !== null || stack.child.signalCode !== null,
      'the stack to die',
    );
    stack = await startKept(env);
    for (const batch of batches.slice(acknowledged)) {
      const answer = await api<{ ingestEvents: { accepted: number } }>(INGEST, { input: batch });
      expect(answer.data?.ingestEvents.accepted).toBe(batch.length);
    }

    // Assess
    const alerts = await waitFor(
      async () => {
        const found = await alertsOf(api, ruleId);
        return found.length >= DEVICES ? found : null;
      },
      'every alert recorded after the restart',
      120_000,
    );
    expect(alerts).toHaveLength(DEVICES);
    const ids = new Set(alerts.map((alert) => alert.id));
    await waitFor(
      async () => {
        await topic.read();
        return tally(ofRule().map((m) => m.Message)).size >= DEVICES;
      },
      'every alert listed in a group message',
      150_000,
    );
    await nothingDue(stack.outputs);
    await topic.read();
    const listed = tally(ofRule().map((m) => m.Message));
    expect(new Set(listed.keys())).toEqual(ids);
    expect([...listed.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    console.info(
      `alert storm with a SIGKILL: ${ofRule().length} group messages listing ${ofRule()
        .map((m) => listedIds(m.Message).length)
        .join(' + ')}`,
    );
    stack.child.kill('SIGINT');
    await waitFor(() => stack.child.exitCode !== null, 'a clean exit', 15_000);
  }, 300_000);
});
