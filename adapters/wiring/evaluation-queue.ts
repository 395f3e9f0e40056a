import { evaluationQueue as queueDefinition } from '../../infra/resources.ts';
import { sqs } from '../clients/sqs.ts';
import { setting } from '../config.ts';
import { SqsEvaluationQueue } from '../sqs-evaluation-queue.ts';

/**
 * The queue the worker consumes: readings, and work messages of rule and alert changes.
 * Written once for every function that sends to it; in a module of its own, so that a
 * function that only sends (ingest) bundles no DynamoDB client.
 */
export function evaluationQueue(): SqsEvaluationQueue {
  return new SqsEvaluationQueue(sqs, setting(queueDefinition.envVar));
}
