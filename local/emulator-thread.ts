/**
 * The emulators on their own thread: DynamoDB (dynalite) and SQS/SNS (fauxqs) answer
 * requests on a second event loop, so the handlers, the endpoint and the emulators share
 * two cores instead of one. Started by `startEmulatorThread`; speaks through messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type RunningServer, startDynamoDb, startSqsAndSns } from './emulators.ts';

export interface EmulatorThreadOptions {
  host: string;
  dynamodbPort: number;
  sqsPort: number;
  dynamodbDir: string | null;
  queuesDir: string | null;
  region: string;
}

if (parentPort && workerData) {
  const options = workerData as EmulatorThreadOptions;
  const port = parentPort;
  const servers: RunningServer[] = [];
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
    port.postMessage({ type: 'ready', dynamodbUrl: dynamodb.url, sqsUrl: queues.url });
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
    });
  }
  port.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
    port.postMessage({ type: 'stopped' });
    port.close();
  });
}
