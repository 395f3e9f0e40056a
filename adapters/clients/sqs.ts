import { SQSClient } from '@aws-sdk/client-sqs';
import { functionClient, sdkClientConfig } from './config.ts';

/** The SQS client, configured as the DynamoDB one is (see ./dynamodb.ts). */

// Always send to the configured endpoint, never to a host taken from a queue URL: in AWS the
// two agree, and an emulator's queue URLs name hosts that need not resolve.
export const sqs = functionClient(
  new SQSClient({ ...sdkClientConfig, useQueueUrlAsEndpoint: false }),
);
