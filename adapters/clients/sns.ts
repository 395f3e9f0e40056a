import { SNSClient } from '@aws-sdk/client-sns';
import { functionClient, sdkClientConfig } from './config.ts';

/** The SNS client, configured as the DynamoDB one is (see ./dynamodb.ts). */
export const sns = functionClient(new SNSClient(sdkClientConfig));
