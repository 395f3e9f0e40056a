import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { defaultRetentionDays, readingsQueue } from '../resources.ts';
import { AlertsFunction } from './alerts-function.ts';

export interface IngestProps {
  retentionDays: number;
}

/**
 * Where readings enter: the resolver that validates them and the SQS queue (with its
 * dead-letter queue) that holds them until the worker has evaluated them.
 */
export class Ingest extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly resolver: AlertsFunction;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(readingsQueue.deadLetterRetentionSeconds),
    });
    this.queue = new Queue(this, 'ReadingsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(readingsQueue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(readingsQueue.messageRetentionSeconds),
      receiveMessageWaitTime: Duration.seconds(readingsQueue.receiveWaitTimeSeconds),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: readingsQueue.maxReceiveCount,
      },
    });
    this.resolver = new AlertsFunction(this, 'IngestResolver', {
      entry: 'resolvers/ingest.ts',
      description: 'ingestEvent and ingestEvents: validate readings and enqueue them',
      environment: {
        [readingsQueue.envVar]: this.queue.queueUrl,
        RETENTION_DAYS: String(props.retentionDays ?? defaultRetentionDays),
      },
    });
    this.queue.grantSendMessages(this.resolver);
  }
}
