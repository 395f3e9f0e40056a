import { evaluationQueue } from '../../infra/resources.ts';
import { AwsSystemStatusSource } from '../aws-system-status.ts';
import { cloudwatch } from '../clients/cloudwatch.ts';
import { sqs } from '../clients/sqs.ts';
import { setting } from '../config.ts';

/* The status resolver's adapters, built once per cold start. */

export const systemStatus = new AwsSystemStatusSource(sqs, cloudwatch, {
  evaluationQueueUrl: setting(evaluationQueue.envVar),
  deadLetterQueueUrl: setting('DEAD_LETTER_QUEUE_URL'),
});

/** The length of each point of the status series. */
export const statusPeriodSeconds = setting('STATUS_PERIOD_SECONDS');
