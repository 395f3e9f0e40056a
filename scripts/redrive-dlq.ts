/**
 * `npm run redrive-dlq`: moves the readings that ended in the dead-letter queue back to the
 * readings queue, once the cause is fixed, so the worker evaluates them again. Works on the
 * local stack and on AWS alike: it reads the queue URLs from an outputs file.
 *
 *   npm run redrive-dlq                                   # .local/outputs.json
 *   npm run redrive-dlq -- --outputs cdk-outputs.json     # a deployed stack (AWS credentials)
 *   npm run redrive-dlq -- --dry-run                      # count only
 *
 * Each message is sent to the evaluation queue before it is deleted from the dead-letter
 * queue, so a failure midway duplicates at worst (and readings are idempotent), never loses.
 */
import { readFileSync } from 'node:fs';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const outputsFile = option('--outputs') ?? '.local/outputs.json';
const dryRun = args.includes('--dry-run');

let outputs: Record<string, string>;
try {
  const parsed = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const stack = parsed.TelemetryAlerts ?? Object.values(parsed)[0];
  if (!stack?.DeadLetterQueueUrl || !stack.EvaluationQueueUrl)
    throw new Error('no queue URLs in it');
  outputs = stack;
} catch (error) {
  console.error(
    `Cannot read the queue URLs from ${outputsFile} (${error instanceof Error ? error.message : error}). Start the local stack (npm start) or pass --outputs cdk-outputs.json.`,
  );
  process.exit(2);
}

const sqs = new SQSClient({
  region: outputs.Region,
  ...(outputs.SqsEndpoint
    ? {
        endpoint: outputs.SqsEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {}),
});
const from = outputs.DeadLetterQueueUrl as string;
const to = outputs.EvaluationQueueUrl as string;

const attributes = await sqs.send(
  new GetQueueAttributesCommand({
    QueueUrl: from,
    AttributeNames: ['ApproximateNumberOfMessages'],
  }),
);
console.log(
  `Dead-letter queue: about ${attributes.Attributes?.ApproximateNumberOfMessages ?? '?'} messages.`,
);
if (dryRun) process.exit(0);

let moved = 0;
for (;;) {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: from,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 60,
    }),
  );
  const messages = received.Messages ?? [];
  if (messages.length === 0) break;
  const sent = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: to,
      Entries: messages.map((message, i) => ({ Id: String(i), MessageBody: message.Body ?? '' })),
    }),
  );
  const ok = new Set((sent.Successful ?? []).map((entry) => entry.Id));
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: from,
      Entries: messages
        .map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle }))
        .filter((entry) => ok.has(entry.Id)),
    }),
  );
  moved += ok.size;
  for (const failure of sent.Failed ?? []) {
    console.error(
      `Not moved (stays in the dead-letter queue): ${failure.Code} ${failure.Message ?? ''}`,
    );
  }
}
console.log(`Moved ${moved} messages back to the evaluation queue.`);
