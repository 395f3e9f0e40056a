import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { sdkClientConfig, withoutSdkLogging } from './config.ts';

/**
 * The CloudWatch client, configured as the DynamoDB one is (see ./dynamodb.ts); locally
 * AWS_ENDPOINT_URL_CLOUDWATCH points it at the local stack's CloudWatch emulator.
 */
export const cloudwatch = withoutSdkLogging(new CloudWatchClient(sdkClientConfig));
