import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack, LocalStackOptions } from '../local/stack.ts';
import { startLocalStack } from '../local/stack.ts';
import { evaluationQueue } from '../infra/resources.ts';
import { freeStackPorts } from '../local/free-ports.ts';
import { pollUntil } from './support.ts';

/** Worker settings the benchmark runs with; the defaults `npm start` uses. */
export const benchWorker = {
  batchSize: evaluationQueue.batchSize,
  maxBatchingWindowMs: evaluationQueue.maxBatchingWindowSeconds * 1000,
  concurrency: evaluationQueue.pollers,
} as const;

/** How often the worker reloads rules: the deployed default, so rule reads count as in AWS. */
export const benchRulesRefreshMs = 2000;

/**
 * Starts the whole local stack in this process on free loopback ports, throw-away, as the
 * integration tests do (and `npm start -- --ephemeral`: the emulators keep their data in
 * memory), but with the deployed queue settings (180 s visibility, so nothing a busy worker
 * holds is redelivered mid-run), silent handler logs (logging every reading would be what
 * gets measured) and, unless POWERTOOLS_METRICS_DISABLED says otherwise, no metrics. With `stateDir`, the emulators write through to disk there, as a plain
 * `npm start` has them do. `episodeCheckIntervalMs` spaces the scheduled check's runs (a
 * phase that runs it itself, counted, sets it past its own length).
 */
export async function startBenchStack(
  options: { workerThread?: boolean; stateDir?: string; episodeCheckIntervalMs?: number } = {},
): Promise<LocalStack> {
  // The handlers' metrics (EMF lines on stdout, which is the report's) only where a phase
  // asks for them by the environment: the instrumentation phase (bench/instrumentation.ts).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // MailDev announces its API on stdout while it starts; stdout is for the report.
  const { log, info } = console;
  console.log = console.info = (...args: unknown[]) => console.error(...args);
  try {
    const settings = await benchStackOptions();
    return await startLocalStack({
      ...settings,
      stateDir: options.stateDir ?? null,
      ...(options.episodeCheckIntervalMs
        ? { episodeCheckIntervalMs: options.episodeCheckIntervalMs }
        : {}),
      worker: { ...settings.worker, thread: options.workerThread ?? false },
    });
  } finally {
    console.log = log;
    console.info = info;
  }
}

async function benchStackOptions(): Promise<LocalStackOptions> {
  return {
    stateDir: null,
    ports: await freeStackPorts(),
    alertEmails: ['oncall@example.com'],
    queue: {
      visibilityTimeoutSeconds: evaluationQueue.visibilityTimeoutSeconds,
      maxReceiveCount: evaluationQueue.maxReceiveCount,
    },
    worker: { ...benchWorker },
    rulesRefreshMs: benchRulesRefreshMs,
    logLevel: 'SILENT',
  };
}

/**
 * A DynamoDB document client on the stack's emulator, with its local keys: for phases that
 * write their data straight to the tables instead of through the API.
 */
export function stackDocuments(outputs: LocalStack['outputs']): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: outputs.Region,
      endpoint: outputs.DynamoDbEndpoint,
      credentials: {
        accessKeyId: outputs.LocalAccessKeyId,
        secretAccessKey: outputs.LocalSecretAccessKey,
      },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

/** Messages still in the evaluation queue: waiting, and taken by the worker but not deleted. */
export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  inFlight: number;
  /** Waiting out a delay: notification groups' flushes. */
  delayed: number;
}

/**
 * Watches the evaluation queue through its own SQS client (never counted as the product's
 * requests), to tell when the worker has stored and evaluated everything sent.
 */
export class QueueWatcher {
  readonly client: SQSClient;
  readonly #queueUrl: string;

  constructor(outputs: LocalStack['outputs']) {
    this.client = new SQSClient({
      region: outputs.Region,
      endpoint: outputs.SqsEndpoint,
      credentials: {
        accessKeyId: outputs.LocalAccessKeyId,
        secretAccessKey: outputs.LocalSecretAccessKey,
      },
    });
    this.#queueUrl = outputs.EvaluationQueueUrl;
  }

  async depth(): Promise<QueueDepth> {
    const result = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const attributes: Record<string, string | undefined> = result.Attributes ?? {};
    const attribute = (name: string) => Number(attributes[name] ?? 0);
    return {
      visible: attribute('ApproximateNumberOfMessages'),
      inFlight: attribute('ApproximateNumberOfMessagesNotVisible'),
      delayed: attribute('ApproximateNumberOfMessagesDelayed'),
    };
  }

  /**
   * Waits until no message is waiting and nothing is in flight; false if `timeoutMs` passed.
   * Messages waiting out a delay are left out unless `delayed` says otherwise: the only ones
   * are notification groups' flushes, due up to GROUP_INTERVAL_SECONDS (300 s) later, not
   * readings in hand.
   */
  async drained(
    timeoutMs: number,
    intervalMs = 100,
    { delayed: withDelayed = false }: { delayed?: boolean } = {},
  ): Promise<boolean> {
    return pollUntil(
      async () => {
        const { visible, inFlight, delayed } = await this.depth();
        return visible + inFlight + (withDelayed ? delayed : 0) === 0;
      },
      timeoutMs,
      intervalMs,
    );
  }

  close(): void {
    this.client.destroy();
  }
}
