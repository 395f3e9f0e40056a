/**
 * The emulators on their own thread: DynamoDB (dynalite), SQS/SNS (fauxqs) and CloudWatch
 * (cloudwatch.ts, over the functions' EMF lines the parent hands over and samples of the
 * queues) answer requests on a second event loop, so the handlers, the endpoint and the
 * emulators share two cores instead of one. Started by `startEmulatorThread`; speaks through
 * messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startCloudWatch } from './cloudwatch.ts';
import { parseEmf } from './emf.ts';
import { type RunningServer, startDynamoDb, startSqsAndSns } from './emulators.ts';
import { MetricsStore } from './metrics-store.ts';
import { type InspectedQueue, recordQueueMetrics } from './queue-metrics.ts';

export interface EmulatorThreadOptions {
  host: string;
  dynamodbPort: number;
  sqsPort: number;
  cloudwatchPort: number;
  dynamodbDir: string | null;
  queuesDir: string | null;
  region: string;
  /** How often the watched queues are sampled into AWS/SQS metrics. */
  queueSampleIntervalMs: number;
}

type ParentMessage =
  { type: 'stop' } | { type: 'emf'; line: string } | { type: 'watchQueues'; names: string[] };

if (parentPort && workerData) {
  const options = workerData as EmulatorThreadOptions;
  const port = parentPort;
  const servers: RunningServer[] = [];
  const store = new MetricsStore();
  let watched: string[] = [];
  let sampleQueues: () => void = () => undefined;
  const sampler = setInterval(() => sampleQueues(), options.queueSampleIntervalMs);
  try {
    const dynamodb = await startDynamoDb({
      host: options.host,
      port: options.dynamodbPort,
      dataDir: options.dynamodbDir,
    });
    servers.push(dynamodb);
    const queues = await startSqsAndSns({
      host: options.host,
      port: options.sqsPort,
      dataDir: options.queuesDir,
      region: options.region,
    });
    servers.push(queues);
    sampleQueues = () =>
      recordQueueMetrics(
        store,
        new Map<string, InspectedQueue | undefined>(
          watched.map((name) => [name, queues.inspectQueue(name)]),
        ),
        Date.now(),
      );
    const cloudwatch = await startCloudWatch({
      host: options.host,
      port: options.cloudwatchPort,
      store,
      beforeRead: () => sampleQueues(),
    });
    servers.push(cloudwatch);
    port.postMessage({
      type: 'ready',
      dynamodbUrl: dynamodb.url,
      sqsUrl: queues.url,
      cloudwatchUrl: cloudwatch.url,
    });
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    });
  }
  port.on('message', async (message: ParentMessage) => {
    if (message.type === 'emf') {
      for (const point of parseEmf(message.line)) store.record(point);
    } else if (message.type === 'watchQueues') {
      watched = message.names;
      sampleQueues();
    } else if (message.type === 'stop') {
      clearInterval(sampler);
      for (const server of servers.reverse()) await server.close().catch(() => undefined);
      port.postMessage({ type: 'stopped' });
      port.close();
    }
  });
}
