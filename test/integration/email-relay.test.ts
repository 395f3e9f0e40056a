import { createServer, type Server, type Socket } from 'node:net';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmailRelay } from '../../local/email-relay.ts';
import { type ProvisionedEmulators, startProvisionedEmulators } from '../support/emulators.ts';
import { waitFor } from '../support/wait-for.ts';

/** A minimal SMTP server: RCPT answers with `answers(address)`, accepted mails are kept. */
async function startSmtp(answer: (address: string) => string): Promise<{
  port: number;
  mails: string[];
  recipientsTried: string[];
  close(): Promise<void>;
}> {
  const mails: string[] = [];
  const recipientsTried: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let data: string | null = null;
    let buffered = '';
    socket.write('220 test SMTP\r\n');
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (;;) {
        if (data !== null) {
          const end = buffered.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mails.push(data + buffered.slice(0, end));
          buffered = buffered.slice(end + 5);
          data = null;
          socket.write('250 queued\r\n');
          continue;
        }
        const line = buffered.indexOf('\r\n');
        if (line < 0) return;
        const command = buffered.slice(0, line);
        buffered = buffered.slice(line + 2);
        const verb = command.slice(0, 4).toUpperCase();
        if (verb === 'RCPT') {
          const address = /<([^>]*)>/.exec(command)?.[1] ?? '';
          recipientsTried.push(address);
          socket.write(`${answer(address)}\r\n`);
        } else if (verb === 'DATA') {
          data = '';
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') {
          socket.write('250 ok\r\n');
        } else {
          socket.write('250 ok\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    mails,
    recipientsTried,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let emulators: ProvisionedEmulators;
const stops: (() => Promise<void>)[] = [];
/**
 * Each test's own outbox queue, subscribed to the topic like the stack's: a stopped relay's
 * abandoned long poll may still take the next message off a queue it polled.
 */
let outboxUrl = '';
let outboxes = 0;

beforeAll(async () => {
  emulators = await startProvisionedEmulators({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
}, 30_000);

beforeEach(async () => {
  outboxes += 1;
  const { QueueUrl } = await emulators.sqs.send(
    new CreateQueueCommand({
      QueueName: `email-relay-test-${outboxes}`,
      Attributes: { VisibilityTimeout: '1' },
    }),
  );
  outboxUrl = QueueUrl ?? '';
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: outboxUrl, AttributeNames: ['QueueArn'] }),
  );
  await emulators.sns.send(
    new SubscribeCommand({
      TopicArn: emulators.resources.alertsTopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
    }),
  );
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

afterAll(async () => {
  await emulators?.close();
});

async function outboxCounts(): Promise<{ waiting: number; inFlight: number }> {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: outboxUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    waiting: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

async function relayTo(
  recipients: string[],
  answer: (address: string) => string,
): Promise<{ smtp: Awaited<ReturnType<typeof startSmtp>>; errors: string[] }> {
  const smtp = await startSmtp(answer);
  const errors: string[] = [];
  const relay = startEmailRelay({
    sqs: emulators.sqs,
    outboxQueueUrl: outboxUrl,
    smtp: { host: '127.0.0.1', port: smtp.port },
    recipients,
    onError: (message) => errors.push(message),
  });
  stops.push(smtp.close, relay.stop);
  return { smtp, errors };
}

function publish(subject: string, message: string): Promise<unknown> {
  return emulators.sns.send(
    new PublishCommand({
      TopicArn: emulators.resources.alertsTopicArn,
      Subject: subject,
      Message: message,
    }),
  );
}

const drained = () =>
  waitFor(async () => {
    const counts = await outboxCounts();
    return counts.waiting === 0 && counts.inFlight === 0;
  }, 'the e-mail outbox to empty');

describe('the local SNS e-mail relay', () => {
  it('given a topic message, then it is mailed with its subject and body, and taken off the outbox', async () => {
    const { smtp, errors } = await relayTo(['oncall@example.com'], () => '250 ok');
    await publish('CRITICAL: temperature of D1', 'temperature 72 > 60');
    await waitFor(() => smtp.mails.length === 1, 'the e-mail');
    expect(smtp.mails[0]).toContain('Subject: CRITICAL: temperature of D1');
    expect(smtp.mails[0]).toContain('temperature 72 > 60');
    await drained();
    expect(errors).toEqual([]);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['JSON but no Message', JSON.stringify({ Type: 'Notification', Subject: 'x' })],
    ['JSON null', 'null'],
  ])(
    'given an outbox message that is %s, then it is dropped with a reason and the next e-mail still goes out',
    async (_case, body) => {
      const { smtp, errors } = await relayTo(['oncall@example.com'], () => '250 ok');
      await emulators.sqs.send(
        new SendMessageCommand({
          QueueUrl: outboxUrl,
          MessageBody: body,
        }),
      );
      await publish('after the bad one', 'still delivered');
      await waitFor(() => smtp.mails.length === 1, 'the good e-mail');
      expect(smtp.mails[0]).toContain('still delivered');
      await drained();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^Dropping outbox message .+: not an SNS notification$/);
    },
  );

  it('given the inbox refusing the address for good (550), then the e-mail is dropped once, not retried forever', async () => {
    const { smtp, errors } = await relayTo(['nobody@example.com'], () => '550 no such user');
    await publish('refused', 'nobody reads this');
    await waitFor(() => errors.length === 1, 'the refusal to be reported');
    expect(errors[0]).toMatch(/the inbox refused it$/);
    await drained();
    // Past the queue's visibility timeout, nothing came back to be tried again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.recipientsTried).toEqual(['nobody@example.com']);
    expect(smtp.mails).toEqual([]);
  });

  it('given the inbox refusing for now (451), then the message stays on the outbox to be retried', async () => {
    const { smtp, errors } = await relayTo(['later@example.com'], () => '451 try again later');
    await publish('later', 'retry me');
    await waitFor(() => errors.length >= 1, 'the failure to be reported');
    expect(errors[0]).toMatch(/retrying/);
    const counts = await outboxCounts();
    expect(counts.waiting + counts.inFlight).toBe(1);
    expect(smtp.mails).toEqual([]);
  });
});
