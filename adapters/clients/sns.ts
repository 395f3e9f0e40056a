import { SNSClient } from '@aws-sdk/client-sns';
import { sdkClientConfig, withoutSdkLogging } from './config.ts';

/** The SNS client, configured as the DynamoDB one is (see ./dynamodb.ts). */
export const sns = withoutSdkLogging(new SNSClient(sdkClientConfig));
