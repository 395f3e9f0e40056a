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

export const sqs = new SQSClient({});

export const sns = new SNSClient({});
