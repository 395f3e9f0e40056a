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
    const notification = JSON.parse(message.Body ?? '{}') as SnsNotification;
    if (options.recipients.length > 0) {
      await transport.sendMail({
        from: 'Telemetry Alerts <no-reply@sns.localhost>',
        to: options.recipients,
        subject: notification.Subject ?? 'AWS Notification Message',
        text: `${notification.Message}\n\n--\nSent by the local stack's SNS topic ${notification.TopicArn} (message ${notification.MessageId}).\n`,
      });
    }
    await options.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: options.outboxQueueUrl,
        ReceiptHandle: message.ReceiptHandle,
      }),
    );
  }
}
