import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/*
 * The AWS SDK clients, created once per process. Region, credentials and endpoints come
 * from the standard SDK configuration (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, …), which is
 * how the local stack points the same code at its emulators.
 */

export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

// Always send to the configured endpoint, never to a host taken from a queue URL: in AWS the
// two agree, and an emulator's queue URLs name hosts that need not resolve.
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

export const sns = new SNSClient({});
