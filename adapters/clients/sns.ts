import { SNSClient } from '@aws-sdk/client-sns';

/** The SNS client, configured as the DynamoDB one is (see ./dynamodb.ts). */
export const sns = new SNSClient({});
