import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { graphql } from '../support/appsync-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { localAdmin } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

/** How long the sustained load lasts; LOAD_SECONDS shortens it when trying things out. */
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = 4;
const BATCH = 100;
/** Each client sends a batch this often: 2,000 readings/s in all, below what the stack drains. */
const PERIOD_MS = 200;

let stack: LocalStack;

beforeAll(async () => {
  // Deployed queue behaviour: a loaded worker must not see its messages redelivered.
  stack = await startTestStack({ queue: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 } });
});

afterAll(async () => {
  await stack?.stop();
});

async function storedCount(deviceId: string): Promise<number> {
  let count = 0;
  let nextToken: string | null = null;
  do {
    const page: { data?: { events: { items: unknown[]; nextToken: string | null } } | null } =
      await graphql(
        stack.outputs.GraphQLUrl,
        (await localAdmin(stack.outputs)).idToken,
        'query($d: ID!, $t: String) { events(deviceId: $d, limit: 1000, nextToken: $t) { items { id } nextToken } }',
        { d: deviceId, t: nextToken },
      );
    count += page.data?.events.items.length ?? 0;
    nextToken = page.data?.events.nextToken ?? null;
  } while (nextToken);
  return count;
}

describe('sustained load', () => {
  it(
    `given ${CLIENTS} clients sending 100-reading batches for ${seconds} s, then no call fails, the queue drains, every reading is stored and memory stays bounded`,
    async () => {
      // Prepare
      const errors: string[] = [];
      const acknowledged = new Map<string, number>();
      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 500);
      const end = Date.now() + seconds * 1000;

      // Act
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const deviceId = `demo-load-${c}`;
          acknowledged.set(deviceId, 0);
          for (let batch = 0; Date.now() < end; batch++) {
            const started = Date.now();
            const input = Array.from({ length: BATCH }, (_, i) => ({
              id: `${batch}-${i}`,
              deviceId,
              metric: 'load',
              value: i,
            }));
            const result = await graphql<{ ingestEvents: { accepted: number; rejected: number } }>(
              stack.outputs.GraphQLUrl,
              stack.outputs.DemoDeviceToken,
              'mutation($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }',
              { input },
            );
            if (result.errors || result.data?.ingestEvents.rejected) {
              errors.push(JSON.stringify(result.errors ?? result.data));
            }
            acknowledged.set(
              deviceId,
              (acknowledged.get(deviceId) ?? 0) + (result.data?.ingestEvents.accepted ?? 0),
            );
            await new Promise((resolve) =>
              setTimeout(resolve, Math.max(0, PERIOD_MS - (Date.now() - started))),
            );
          }
        }),
      );
      const sqs = new SQSClient({
        region: stack.outputs.Region,
        endpoint: stack.outputs.SqsEndpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await waitFor(
        async () => {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: stack.outputs.EvaluationQueueUrl,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
              ],
            }),
          );
          return (
            Attributes?.ApproximateNumberOfMessages === '0' &&
            Attributes.ApproximateNumberOfMessagesNotVisible === '0'
          );
        },
        'the queue to drain',
        120_000,
      );
      clearInterval(sampler);

      // Assess
      expect(errors).toEqual([]);
      const total = [...acknowledged.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(seconds * 1000);
      for (const [deviceId, count] of acknowledged) {
        expect(await storedCount(deviceId), deviceId).toBe(count);
      }
      console.log(
        `Sustained load: ${total} readings in ${seconds} s, all stored; peak RSS of the test process (whole local stack) ${Math.round(peakRss / 2 ** 20)} MiB`,
      );
      expect(peakRss).toBeLessThan(1.5 * 2 ** 30);
    },
    (seconds + 180) * 1000,
  );
});
