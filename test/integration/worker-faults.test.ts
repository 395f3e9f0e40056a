import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodb, sns } from '../../adapters/aws-clients.ts';
import type { LocalStack } from '../../local/stack.ts';
import { graphql, RealtimeSubscription } from '../support/appsync-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { waitFor } from '../support/ports.ts';

let stack: LocalStack;

beforeAll(async () => {
  // Five deliveries a second apart: an outage of a few seconds is retried, not dead-lettered.
  stack = await startTestStack({ queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 } });
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

const api = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
  graphql<T>(stack.outputs.GraphQLUrl, stack.outputs.ApiKey, query, variables);

describe('worker faults', () => {
  it('given DynamoDB down for 2 s while breaching readings arrive, then after redelivery every reading is stored and the alert fires once', async () => {
    const sub = await RealtimeSubscription.open(
      stack.outputs.RealtimeUrl,
      stack.outputs.GraphQLUrl,
      stack.outputs.ApiKey,
      'subscription { onAlert(deviceId: "F-db") { id status } }',
    );
    await api(
      'mutation { createRule(input: { deviceId: "F-db", metric: "t", operator: GT, threshold: 1 }) { id } }',
    );
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
    const sub = await RealtimeSubscription.open(
      stack.outputs.RealtimeUrl,
      stack.outputs.GraphQLUrl,
      stack.outputs.ApiKey,
      'subscription { onAlert(deviceId: "F-sns") { id status } }',
    );
    await api(
      'mutation { createRule(input: { deviceId: "F-sns", metric: "t", operator: GT, threshold: 1, name: "sns outage" }) { id } }',
    );
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
    const mails = (await (await fetch(inbox)).json()) as { subject: string }[];
    expect(mails.filter((m) => m.subject.includes('F-sns'))).toHaveLength(1);
    expect(sub.received).toHaveLength(1);
    sub.close();
  });
});
