/**
 * The evaluation worker on its own thread, as Lambda runs it apart from the API: the SQS
 * event source mapping and `workers/evaluate-readings.ts` get an event loop of their own, so
 * storing and evaluating readings does not queue behind the endpoint's requests. The thread
 * starts with a copy of the stack's environment, which the handler reads as in Lambda.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { sdkClientConfig, withoutSdkLogging } from '../adapters/clients/config.ts';
import { type EventSourceMappingOptions, type SqsHandler } from './event-source-mapping.ts';
import { startEventSourceMapping } from './event-source-mapping.ts';
import { splitEmf } from './emf-capture.ts';

export interface WorkerThreadOptions {
  mapping: Omit<EventSourceMappingOptions, 'sqs' | 'handler' | 'onError'>;
  /** The event source mapping's own SQS client. */
  sqs: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
}

if (parentPort && workerData) {
  const options = workerData as WorkerThreadOptions;
  const port = parentPort;
  const report = (message: string, error: unknown) =>
    port.postMessage({
      type: 'error',
      message: `${message}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    });
  const worker = (await import(
    new URL('../workers/evaluate-readings.ts', import.meta.url).href
  )) as {
    handler: SqsHandler;
  };
  const mapping = startEventSourceMapping({
    ...options.mapping,
    sqs: withoutSdkLogging(
      new SQSClient({
        ...sdkClientConfig,
        region: options.sqs.region,
        endpoint: options.sqs.endpoint,
        credentials: {
          accessKeyId: options.sqs.accessKeyId,
          secretAccessKey: options.sqs.secretAccessKey,
        },
      }),
    ),
    handler: worker.handler,
    onError: report,
  });
  port.postMessage({ type: 'ready' });
  port.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    await mapping.stop();
    port.postMessage({ type: 'stopped' });
    port.close();
  });
}

/**
 * Starts the worker thread; `onError` hears what the mapping reports (failed polls, say), and
 * `onEmf` the EMF lines the handler writes to its standard output, which otherwise reaches
 * this process's as before.
 */
export async function startWorkerThread(
  options: WorkerThreadOptions,
  onError: (message: string) => void,
  onEmf: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const thread = new Worker(new URL('./worker-thread.ts', import.meta.url), {
    workerData: options,
    stdout: true,
  });
  void splitEmf(thread.stdout, onEmf, (line) => process.stdout.write(`${line}\n`));
  let stopping = false;
  thread.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'error') onError(message.message ?? 'the worker thread failed');
  });
  await new Promise<void>((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (message: { type: string }) => {
      if (message.type === 'ready') resolve();
    });
  });
  // From here on a failure of the thread is reported, never swallowed: readings would pile up.
  thread.removeAllListeners('error');
  thread.on('error', (error) =>
    onError(`The worker thread failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  thread.on('exit', (code) => {
    if (!stopping)
      onError(`The worker thread stopped (exit code ${code}); readings are not evaluated`);
  });
  return {
    stop: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        thread.on('message', (message: { type: string }) => {
          if (message.type === 'stopped') resolve();
        });
        thread.once('exit', () => resolve());
      });
      thread.postMessage({ type: 'stop' });
      await stopped;
      await thread.terminate();
    },
  };
}
