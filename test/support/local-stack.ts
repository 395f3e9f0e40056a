import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freeStackPorts } from '../../local/free-ports.ts';
import { RealtimeSubscription } from '../../local/realtime-client.ts';
import { graphql } from './appsync-client.ts';
import { localAdmin } from './users.ts';
import { waitFor } from './wait-for.ts';

const TEST_RULES_REFRESH_MS = 100;

/**
 * Starts the whole local stack in this test process on free loopback ports, throw-away,
 * with a short visibility timeout so retries and the dead-letter queue show up in seconds.
 * Rules that set no grouping e-mail their group at once (group wait and interval 0): an
 * alert's e-mail then goes out as soon as its flush message is run, and `queueDrained`
 * waits for it. Tests of grouping set a wait on their rule (alert-storm.test.ts).
 */
export async function startTestStack(
  overrides: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    stateDir: null,
    ports: await freeStackPorts(),
    alertEmails: ['oncall@example.com'],
    queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 },
    worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 2 },
    rulesRefreshMs: TEST_RULES_REFRESH_MS,
    episodeCheckIntervalMs: 200,
    notificationGroups: { waitSeconds: 0, intervalSeconds: 0 },
    logLevel: 'SILENT',
    ...overrides,
  });
}

/**
 * Waits until the evaluation queue is empty — nothing waiting, nothing being processed — so
 * every reading sent before has been evaluated and its alerts delivered.
 */
export async function queueDrained(stack: LocalStack): Promise<void> {
  const sqs = new SQSClient({
    region: stack.outputs.Region,
    endpoint: stack.outputs.SqsEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await waitFor(async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.outputs.EvaluationQueueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    // Delayed messages too: a notification group's flush message waits there.
    return (
      Attributes?.ApproximateNumberOfMessages === '0' &&
      Attributes.ApproximateNumberOfMessagesNotVisible === '0' &&
      Attributes.ApproximateNumberOfMessagesDelayed === '0'
    );
  }, 'the evaluation queue to drain');
}

/**
 * Rules reach the worker within its refresh interval (100 ms in tests, RULES_REFRESH_MS):
 * a test that creates a rule waits that long before sending readings the rule must see.
 * This is the product's documented propagation time, not a guess at a race.
 */
export async function ruleChangesApplied(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 3 * TEST_RULES_REFRESH_MS));
}

/**
 * A GraphQL caller for a stack started in `beforeAll` (read when called, not now), signed in
 * as the stack's first admin, who may call every field.
 */
export function stackApi(stack: () => LocalStack) {
  return async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    graphql<T>(
      stack().outputs.GraphQLUrl,
      (await localAdmin(stack().outputs)).idToken,
      query,
      variables,
    );
}

/** Subscribes to the stack's real-time endpoint as its first admin. */
export async function stackSubscription(
  stack: LocalStack,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<RealtimeSubscription> {
  const { RealtimeUrl, GraphQLUrl } = stack.outputs;
  const { idToken } = await localAdmin(stack.outputs);
  return RealtimeSubscription.open(
    RealtimeUrl,
    GraphQLUrl,
    { Authorization: idToken },
    query,
    variables,
  );
}
