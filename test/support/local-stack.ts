import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { freePort } from './ports.ts';

/**
 * Starts the whole local stack in this test process on free loopback ports, throw-away,
 * with a short visibility timeout so retries and the dead-letter queue show up in seconds.
 */
export async function startTestStack(
  overrides: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    stateDir: null,
    ports: {
      graphql: await freePort(),
      https: await freePort(),
      dynamodb: await freePort(),
      sqs: await freePort(),
      smtp: await freePort(),
      inbox: await freePort(),
    },
    alertEmails: ['oncall@example.com'],
    queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 },
    worker: { batchSize: 10, maxBatchingWindowMs: 0, concurrency: 2 },
    rulesRefreshMs: 100,
    episodeCheckIntervalMs: 200,
    logLevel: 'SILENT',
    ...overrides,
  });
}
