import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTransport } from 'nodemailer';

export interface EmailRelayOptions {
  sqs: SQSClient;
  /** The queue subscribed to the alerts topic in place of SNS's e-mail protocol. */
  outboxQueueUrl: string;
  smtp: { host: string; port: number };
  /** The e-mail subscribers of the topic. */
  recipients: string[];
  onError: (message: string, error: unknown) => void;
}

interface SnsNotification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
}

/**
 * SNS's e-mail protocol for the local stack. The emulator delivers topic messages only to
 * queues, so the topic's messages reach a queue and this relay mails each one over SMTP,
 * as SNS would: the publish's Subject as subject, its Message as body.
 */
export function startEmailRelay(options: EmailRelayOptions): { stop(): Promise<void> } {
  const abort = new AbortController();
  // One SMTP connection kept open and reused, rather than a connection (and its greeting)
  // per e-mail; the pool reconnects if the inbox closes it.
  const transport = createTransport({
    pool: true,
    maxConnections: 1,
    host: options.smtp.host,
    port: options.smtp.port,
    secure: false,
    ignoreTLS: true,
  });
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await relayBatch(options, transport, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        options.onError('Relaying alert e-mail failed; retrying', error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
      transport.close();
    },
  };
}

async function relayBatch(
  options: EmailRelayOptions,
  transport: ReturnType<typeof createTransport>,
  signal: AbortSignal,
): Promise<void> {
  const result = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.outboxQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
    }),
    { abortSignal: signal },
  );
  for (const message of result.Messages ?? []) {
    const notification = notificationOf(message.Body);
    if (notification === null) {
      // Nothing will ever make it an e-mail: drop it rather than retry it forever.
      options.onError(
        `Dropping outbox message ${message.MessageId ?? '?'}: not an SNS notification`,
        null,
      );
    } else if (options.recipients.length > 0) {
      try {
        await transport.sendMail({
          from: 'Telemetry Alerts <no-reply@sns.localhost>',
          to: options.recipients,
          subject: notification.Subject ?? 'AWS Notification Message',
          text: `${notification.Message}\n\n--\nSent by the local stack's SNS topic ${notification.TopicArn} (message ${notification.MessageId}).\n`,
        });
      } catch (error) {
        // A permanent refusal (SMTP 5xx) stays one; SNS, too, gives up on such an address.
        // Anything else (the inbox down, a 4xx) is retried after the visibility timeout.
        if (!isPermanentRefusal(error)) throw error;
        options.onError(
          `Dropping the e-mail of SNS message ${notification.MessageId}: the inbox refused it`,
          error,
        );
      }
    }
    await options.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: options.outboxQueueUrl,
        ReceiptHandle: message.ReceiptHandle,
      }),
    );
  }
}

/** An SNS notification as the topic delivers it to a queue, or null for anything else. */
function notificationOf(body: string | undefined): SnsNotification | null {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return null;
  }
  const notification = value as Partial<SnsNotification> | null;
  return typeof notification === 'object' &&
    notification !== null &&
    typeof notification.Message === 'string'
    ? (notification as SnsNotification)
    : null;
}

function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
