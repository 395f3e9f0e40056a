import { describe, expect, it } from 'vitest';
import { diffQueueAttributes } from '../../../local/queue-attributes.ts';

const DLQ = 'arn:aws:sqs:us-east-1:000000000000:telemetry-readings-dlq';
const redrive = (maxReceiveCount: number | string, deadLetterTargetArn = DLQ) =>
  JSON.stringify({ deadLetterTargetArn, maxReceiveCount });

/** A kept queue as GetQueueAttributes (All) shows it: what was set, and what SQS adds. */
const kept = {
  QueueArn: 'arn:aws:sqs:us-east-1:000000000000:telemetry-readings',
  ApproximateNumberOfMessages: '3',
  DelaySeconds: '0',
  VisibilityTimeout: '180',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '20',
  RedrivePolicy: redrive(5),
};

describe('the attributes of a queue kept from an earlier start', () => {
  it('given the same attributes, then nothing changes', () => {
    const diff = diffQueueAttributes(kept, {
      VisibilityTimeout: '180',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '20',
      RedrivePolicy: redrive(5),
    });

    expect(diff).toEqual({ set: {}, changes: [], fixed: [] });
  });

  it('given another visibility timeout, then only it is set, with its old and new value', () => {
    const diff = diffQueueAttributes(kept, {
      VisibilityTimeout: '10',
      MessageRetentionPeriod: '345600',
    });

    expect(diff.set).toEqual({ VisibilityTimeout: '10' });
    expect(diff.changes).toEqual([{ name: 'VisibilityTimeout', from: '180', to: '10' }]);
    expect(diff.fixed).toEqual([]);
  });

  it('given another maxReceiveCount, then the whole redrive policy is set and the change names the field', () => {
    const diff = diffQueueAttributes(kept, { RedrivePolicy: redrive(2) });

    expect(diff.set).toEqual({ RedrivePolicy: redrive(2) });
    expect(diff.changes).toEqual([{ name: 'RedrivePolicy maxReceiveCount', from: '5', to: '2' }]);
  });

  it('given a redrive policy that differs only in how it is written (a count as text, keys in another order), then nothing changes', () => {
    const diff = diffQueueAttributes(kept, {
      RedrivePolicy: `{"maxReceiveCount":"5","deadLetterTargetArn":"${DLQ}"}`,
    });

    expect(diff.changes).toEqual([]);
  });

  it('given numbers written differently (a leading zero), then nothing changes', () => {
    expect(diffQueueAttributes(kept, { VisibilityTimeout: '0180' }).changes).toEqual([]);
  });

  it('given an attribute the kept queue does not have, then it is set, from none', () => {
    const diff = diffQueueAttributes({ QueueArn: kept.QueueArn }, { RedrivePolicy: redrive(5) });

    expect(diff.set).toEqual({ RedrivePolicy: redrive(5) });
    expect(diff.changes).toEqual([{ name: 'RedrivePolicy', from: undefined, to: redrive(5) }]);
  });

  it('given a kept redrive policy that is not JSON, then the wanted one replaces it whole', () => {
    const diff = diffQueueAttributes(
      { ...kept, RedrivePolicy: 'not json' },
      { RedrivePolicy: redrive(5) },
    );

    expect(diff.set).toEqual({ RedrivePolicy: redrive(5) });
    expect(diff.changes).toEqual([{ name: 'RedrivePolicy', from: 'not json', to: redrive(5) }]);
  });

  it('given a redrive policy to another dead-letter queue, then the change names the target', () => {
    const other = 'arn:aws:sqs:us-east-1:000000000000:other-dlq';

    const diff = diffQueueAttributes(kept, { RedrivePolicy: redrive(5, other) });

    expect(diff.changes).toEqual([
      { name: 'RedrivePolicy deadLetterTargetArn', from: DLQ, to: other },
    ]);
  });

  it('given no wanted attributes, then the kept ones, defaults and counts included, are left as they are', () => {
    expect(diffQueueAttributes(kept, {})).toEqual({ set: {}, changes: [], fixed: [] });
  });

  it('given a change of FifoQueue, which no queue can take, then it is reported as fixed and not set', () => {
    const diff = diffQueueAttributes(
      { ...kept, FifoQueue: 'false' },
      { FifoQueue: 'true', VisibilityTimeout: '10' },
    );

    expect(diff.fixed).toEqual([{ name: 'FifoQueue', from: 'false', to: 'true' }]);
    expect(diff.set).toEqual({ VisibilityTimeout: '10' });
  });

  it('given an attribute SQS does not have, then it throws with its name', () => {
    expect(() => diffQueueAttributes(kept, { VisibilityTimeoutSeconds: '10' })).toThrow(
      'Unknown queue attribute VisibilityTimeoutSeconds',
    );
  });

  it('given an attribute SQS sets itself (its ARN), then it throws rather than try to set it', () => {
    expect(() => diffQueueAttributes(kept, { QueueArn: 'arn:other' })).toThrow(
      'Unknown queue attribute QueueArn',
    );
  });
});
