import { channel } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodb } from '../../adapters/clients/dynamodb.ts';
import { sns } from '../../adapters/clients/sns.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  queueDrained,
  ruleChangesApplied,
  startTestStack,
  stackApi,
  stackSubscription,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

let stack: LocalStack;

beforeAll(async () => {
  // Five deliveries a second apart: an outage of a few seconds is retried, not dead-lettered.
  // The worker times out after 1 s, as a Lambda function with a 1 s timeout would.
  stack = await startTestStack({
    queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 },
    worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 2, timeoutMs: 1000 },
  });
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * Makes an SDK client (the very instance the handlers use) fail every request until
 * `until`, as a network outage or a throttled service would.
 */
function outage(client: typeof dynamodb | typeof sns, name: string): { until: number } {
  const window = { until: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (Date.now() < window.until) {
        const error = new Error(`${name} unavailable (injected)`);
        error.name = 'ServiceUnavailable';
        throw error;
      }
      return next(args);
    },
    { step: 'initialize', name: `outage-${name}` },
  );
  return window;
}

const api = stackApi(() => stack);

describe('worker faults', () => {
  it('given DynamoDB down for 2 s while breaching readings arrive, then after redelivery every reading is stored and the alert fires once', async () => {
    const sub = await stackSubscription(
      stack,
      'subscription { onAlert(deviceId: "F-db") { id status } }',
    );
    await api(
      'mutation { createRule(input: { deviceId: "F-db", metric: "t", operator: GT, threshold: 1 }) { id } }',
    );
    await ruleChangesApplied();
    const db = outage(dynamodb, 'dynamodb');
    db.until = Date.now() + 2000;
    const input = Array.from({ length: 30 }, (_, i) => ({
      id: `f${i}`,
      deviceId: 'F-db',
      metric: 't',
      value: 5,
    }));
    const ack = await api<{ ingestEvents: { accepted: number } }>(
      'mutation($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }',
      { input },
    );
    expect(ack.data?.ingestEvents.accepted).toBe(30);
    const stored = await waitFor(
      async () => {
        const r = await api<{ events: { items: { id: string }[] } }>(
          'query { events(deviceId: "F-db", limit: 100) { items { id } } }',
        );
        return r.data?.events.items.length === 30 ? r.data.events.items : null;
      },
      'all readings stored after the outage',
      30_000,
    );
    expect(new Set(stored.map((e) => e.id)).size).toBe(30);
    await waitFor(() => sub.received.length >= 1, 'the alert');
    const alerts = await api<{ alerts: { items: unknown[] } }>(
      'query { alerts(deviceId: "F-db") { items { id } } }',
    );
    expect(alerts.data?.alerts.items).toHaveLength(1);
    expect(sub.received).toHaveLength(1);
    sub.close();
  });

  it('given SNS down for 2 s when an alert fires, then the e-mail goes out after redelivery and subscribers get the alert once', async () => {
    const sub = await stackSubscription(
      stack,
      'subscription { onAlert(deviceId: "F-sns") { id status } }',
    );
    await api(
      'mutation { createRule(input: { deviceId: "F-sns", metric: "t", operator: GT, threshold: 1, name: "sns outage" }) { id } }',
    );
    await ruleChangesApplied();
    const topic = outage(sns, 'sns');
    topic.until = Date.now() + 2000;
    await api(
      'mutation { ingestEvent(input: { deviceId: "F-sns", metric: "t", value: 5 }) { id } }',
    );
    const inbox = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
    await waitFor(
      async () => {
        const mails = (await (await fetch(inbox)).json()) as { subject: string }[];
        return mails.some((m) => m.subject.includes('F-sns'));
      },
      'the e-mail after the outage',
      30_000,
    );
    await waitFor(() => sub.received.length >= 1, 'the alert');
    await queueDrained(stack);
    const mails = (await (await fetch(inbox)).json()) as { subject: string }[];
    expect(mails.filter((m) => m.subject.includes('F-sns'))).toHaveLength(1);
    expect(sub.received).toHaveLength(1);
    sub.close();
  });
});

describe('worker faults, continued', () => {
  it('given publishAlert unreachable for 2 s when an alert fires, then subscribers get it once after redelivery and the e-mail is not repeated', async () => {
    const sub = await stackSubscription(
      stack,
      'subscription { onAlert(deviceId: "F-push") { id status } }',
    );
    await api(
      'mutation { createRule(input: { deviceId: "F-push", metric: "t", operator: GT, threshold: 1 }) { id } }',
    );
    await ruleChangesApplied();
    // The worker calls publishAlert over node:http, in this process: cut those calls for a while.
    const until = Date.now() + 2000;
    const cut = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      const signed = String(request.getHeader('authorization') ?? '').startsWith('AWS4');
      if (Date.now() < until && signed && request.path === '/graphql') {
        request.destroy(new Error('connection reset (injected)'));
      }
    };
    const requests = channel('http.client.request.created');
    requests.subscribe(cut);
    try {
      await api(
        'mutation { ingestEvent(input: { deviceId: "F-push", metric: "t", value: 5 }) { id } }',
      );
      await waitFor(() => sub.received.length >= 1, 'the alert after the outage', 30_000);
    } finally {
      requests.unsubscribe(cut);
    }
    // The e-mail goes out with its group's flush, after the delivery: wait for it, then for
    // anything more that could follow.
    const inbox = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
    const ofDevice = async () =>
      ((await (await fetch(inbox)).json()) as { subject: string }[]).filter((m) =>
        m.subject.includes('F-push'),
      );
    await waitFor(async () => (await ofDevice()).length > 0, 'the e-mail');
    await queueDrained(stack);
    expect(await ofDevice()).toHaveLength(1);
    expect(sub.received).toHaveLength(1);
    sub.close();
  });

  it('given DynamoDB answering too slowly for the worker timeout, then the batch is retried and the readings stored once', async () => {
    const slow = { until: Date.now() + 2500 };
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if (Date.now() < slow.until) await new Promise((resolve) => setTimeout(resolve, 1500));
        return next(args);
      },
      { step: 'initialize', name: 'slow-dynamodb' },
    );
    const input = Array.from({ length: 5 }, (_, i) => ({
      id: `s${i}`,
      deviceId: 'F-slow',
      metric: 't',
      value: 0,
    }));
    await api('mutation($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }', {
      input,
    });
    const stored = await waitFor(
      async () => {
        const r = await api<{ events: { items: { id: string }[] } }>(
          'query { events(deviceId: "F-slow") { items { id } } }',
        );
        return r.data?.events.items.length === 5 ? r.data.events.items : null;
      },
      'the readings after the slow spell',
      30_000,
    );
    expect(new Set(stored.map((e) => e.id)).size).toBe(5);
  });
});
