import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { evaluationQueue } from '../resources.ts';
import { settings } from '../settings.ts';
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
      retentionPeriod: Duration.seconds(evaluationQueue.deadLetterRetentionSeconds),
    });
    // The id is the queue's name since the first deploy; changing it would replace the queue.
    this.queue = new Queue(this, 'ReadingsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(evaluationQueue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(evaluationQueue.messageRetentionSeconds),
      receiveMessageWaitTime: Duration.seconds(evaluationQueue.receiveWaitTimeSeconds),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: evaluationQueue.maxReceiveCount,
      },
    });
    this.resolver = new AlertsFunction(this, 'IngestResolver', {
      entry: 'resolvers/ingest.ts',
      description: 'ingestEvent and ingestEvents: validate readings and enqueue them',
      environment: {
        [evaluationQueue.envVar]: this.queue.queueUrl,
        RETENTION_DAYS: String(props.retentionDays ?? settings.RETENTION_DAYS.default),
      },
    });
    this.queue.grantSendMessages(this.resolver);
  }
}
