import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
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

const ON_ALERT = `subscription OnAlert($deviceId: ID, $severity: Severity) {
  onAlert(deviceId: $deviceId, severity: $severity) {
    id ruleId deviceId value status reason severity firedAt resolvedAt acknowledgedAt acknowledgedBy notifiedAt
  }
}`;

type Pushed = {
  id: string;
  status: string;
  reason: string;
  value: number;
  acknowledgedBy: string | null;
};

let stack: LocalStack;
const start = Date.now() - 60_000;
let second = 0;
/** Strictly increasing event times, so order is the order of the calls. */
const nextTime = () => new Date(start + ++second * 10).toISOString();

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

const api = stackApi(() => stack);

async function createRule(input: Record<string, unknown>): Promise<string> {
  const result = await api<{ createRule: { id: string } }>(
    'mutation($input: CreateRuleInput!) { createRule(input: $input) { id } }',
    { input: { metric: 'temperature', operator: 'GT', threshold: 60, ...input } },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  await ruleChangesApplied();
  return result.data.createRule.id;
}

/**
 * Sends readings in one call, so they travel in one message and are evaluated in their
 * order; separate calls could reach two workers and the later reading win.
 */
async function send(deviceId: string, ...values: number[]): Promise<void> {
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
}

async function watch(deviceId: string, severity?: string): Promise<RealtimeSubscription> {
  return stackSubscription(stack, ON_ALERT, {
    deviceId,
    ...(severity ? { severity } : {}),
  });
}

const pushed = (s: RealtimeSubscription) => s.received.map((d) => d.onAlert as Pushed);
const kinds = (s: RealtimeSubscription) => pushed(s).map((a) => `${a.status}:${a.reason}`);

/** Waits until everything sent so far has been evaluated and delivered. */
const settle = (_deviceId?: string) => queueDrained(stack);

describe('alert lifecycle on the local stack', () => {
  it('given forReadings 3, when the third consecutive breach arrives, then one alert fires, and further breaches add none', async () => {
    const sub = await watch('L-consecutive');
    await createRule({ deviceId: 'L-consecutive', forReadings: 3 });
    await send('L-consecutive', 70, 71);
    await settle('L-consecutive');
    expect(kinds(sub)).toEqual([]);
    await send('L-consecutive', 72, 73, 74);
    await waitFor(() => sub.received.length >= 1, 'the alert');
    await settle('L-consecutive');
    expect(kinds(sub)).toEqual(['FIRING:THRESHOLD']);
    sub.close();
  });

  it('given an AVG window, when the average crosses the threshold, then it fires; a single high reading alone does not', async () => {
    const sub = await watch('L-window');
    await createRule({ deviceId: 'L-window', windowSeconds: 60, aggregation: 'AVG' });
    await send('L-window', 10, 100);
    await settle('L-window');
    expect(kinds(sub)).toEqual([]);
    await send('L-window', 100, 100);
    await waitFor(() => sub.received.length >= 1, 'the alert');
    expect(pushed(sub)[0]?.value).toBeGreaterThan(60);
    sub.close();
  });

  it('given hysteresis, when the value falls between clear level and threshold, then it stays active; below the clear level it resolves', async () => {
    const sub = await watch('L-hysteresis');
    await createRule({ deviceId: 'L-hysteresis', clearThreshold: 50 });
    await send('L-hysteresis', 70, 55);
    await settle('L-hysteresis');
    const active = await api<{ activeAlerts: { items: { id: string }[] } }>(
      'query { activeAlerts(deviceId: "L-hysteresis") { items { id } } }',
    );
    expect(active.data?.activeAlerts.items).toHaveLength(1);
    await send('L-hysteresis', 45);
    await waitFor(() => sub.received.length >= 2, 'the resolution');
    expect(kinds(sub)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    expect(pushed(sub)[0]?.id).toBe(pushed(sub)[1]?.id);
    const after = await api<{ activeAlerts: { items: unknown[] } }>(
      'query { activeAlerts(deviceId: "L-hysteresis") { items { id } } }',
    );
    expect(after.data?.activeAlerts.items).toEqual([]);
    sub.close();
  });

  it('given noDataSeconds 1, when the device goes silent, then NO_DATA fires once, and its next reading resolves it', async () => {
    const sub = await watch('L-silent');
    await createRule({ deviceId: 'L-silent', threshold: 1000, noDataSeconds: 1 });
    await api('mutation($input: EventInput!) { ingestEvent(input: $input) { id } }', {
      input: { deviceId: 'L-silent', metric: 'temperature', value: 1 },
    });
    await waitFor(() => sub.received.length >= 1, 'the NO_DATA alert');
    expect(kinds(sub)).toEqual(['FIRING:NO_DATA']);
    await api('mutation($input: EventInput!) { ingestEvent(input: $input) { id } }', {
      input: { deviceId: 'L-silent', metric: 'temperature', value: 1 },
    });
    await waitFor(() => sub.received.length >= 2, 'the resolution');
    expect(kinds(sub).slice(0, 2)).toEqual(['FIRING:NO_DATA', 'RESOLVED:NO_DATA']);
    sub.close();
  });

  it('given repeatIntervalSeconds 1, then a firing alert is notified again while it fires', async () => {
    const sub = await watch('L-repeat');
    await createRule({ deviceId: 'L-repeat', repeatIntervalSeconds: 1 });
    await send('L-repeat', 70);
    await waitFor(() => sub.received.length >= 3, 'two repeats', 10_000);
    const ids = new Set(pushed(sub).map((a) => a.id));
    expect(ids.size).toBe(1);
    expect(pushed(sub).every((a) => a.status === 'FIRING')).toBe(true);
    sub.close();
  });

  it('given a firing alert, when it is acknowledged, then the alert records who and subscribers see it', async () => {
    const sub = await watch('L-ack');
    await createRule({ deviceId: 'L-ack' });
    await send('L-ack', 70);
    await waitFor(() => sub.received.length >= 1, 'the alert');
    const id = pushed(sub)[0]?.id;
    const ack = await api<{ acknowledgeAlert: { acknowledgedBy: string; acknowledgedAt: string } }>(
      'mutation($id: ID!) { acknowledgeAlert(id: $id) { acknowledgedBy acknowledgedAt } }',
      { id },
    );
    // Recorded from the caller's token: the admin's e-mail.
    expect(ack.data?.acknowledgeAlert.acknowledgedBy).toBe(stack.outputs.LocalAdminUsername);
    await waitFor(
      () => pushed(sub).some((a) => a.acknowledgedBy === stack.outputs.LocalAdminUsername),
      'the acknowledgement pushed',
    );
    const missing = await api('mutation { acknowledgeAlert(id: "nope") { id } }');
    expect(missing.errors?.[0]?.errorType).toBe('NotFound');
    sub.close();
  });

  it.each([
    ['deleted', 'mutation($id: ID!) { deleteRule(id: $id) { deleted } }'],
    ['disabled', 'mutation($id: ID!) { setRuleEnabled(id: $id, enabled: false) { enabled } }'],
  ])(
    'given a firing alert, when its rule is %s, then the alert resolves',
    async (how, mutation) => {
      const device = `L-${how}`;
      const sub = await watch(device);
      const ruleId = await createRule({ deviceId: device });
      await send(device, 70);
      await waitFor(() => sub.received.length >= 1, 'the alert');
      const result = await api(mutation, { id: ruleId });
      expect(result.errors).toBeUndefined();
      await waitFor(() => sub.received.length >= 2, 'the resolution');
      expect(kinds(sub)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
      sub.close();
    },
  );

  it('given onAlert filtered by severity, then only alerts of that severity arrive', async () => {
    const critical = await watch('L-severity', 'CRITICAL');
    const all = await watch('L-severity');
    await createRule({ deviceId: 'L-severity', severity: 'INFO' });
    await createRule({ deviceId: 'L-severity', severity: 'CRITICAL', threshold: 65 });
    await send('L-severity', 70);
    await waitFor(() => all.received.length >= 2, 'both alerts');
    await settle('L-severity');
    expect(pushed(critical).map((a) => (a as unknown as { severity: string }).severity)).toEqual([
      'CRITICAL',
    ]);
    critical.close();
    all.close();
  });

  it('given two workers and every reading delivered twice and interleaved, then exactly one FIRING and one RESOLVED', async () => {
    const sub = await watch('L-race');
    await createRule({ deviceId: 'L-race' });
    const sqs = new SQSClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.SqsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    /** Each reading sent twice, the copies interleaved with the next reading's. */
    const deliverTwice = async (values: number[]) => {
      const bodies = values.map((value) =>
        JSON.stringify({
          id: `race-${second}`,
          deviceId: 'L-race',
          metric: 'temperature',
          value,
          timestamp: nextTime(),
        }),
      );
      const interleaved = bodies.flatMap((body, i) =>
        i === 0 ? [body] : [body, bodies[i - 1] as string],
      );
      interleaved.push(bodies.at(-1) as string);
      for (let i = 0; i < interleaved.length; i += 3) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: stack.outputs.EvaluationQueueUrl,
            Entries: interleaved
              .slice(i, i + 3)
              .map((MessageBody, j) => ({ Id: String(j), MessageBody })),
          }),
        );
      }
    };
    await deliverTwice([70, 75, 80]);
    await settle('L-race');
    await deliverTwice([20, 10, 5]);
    await settle('L-race');
    await waitFor(() => sub.received.length >= 2, 'the firing and the resolution');
    await settle('L-race');
    expect(kinds(sub)).toEqual(['FIRING:THRESHOLD', 'RESOLVED:THRESHOLD']);
    const alerts = await api<{ alerts: { items: { status: string }[] } }>(
      'query { alerts(deviceId: "L-race") { items { status } } }',
    );
    expect(alerts.data?.alerts.items).toEqual([{ status: 'RESOLVED' }]);
    sub.close();
  });
});
