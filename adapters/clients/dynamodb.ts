import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientConfig, withoutSdkLogging } from './config.ts';

/*
 * The AWS SDK clients, one module each so that a function loads only the SDK packages it
 * uses (each one adds to its cold start). Created once per process; region, credentials and
 * endpoints come from the standard SDK configuration (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
 * …), which is how the local stack points the same code at its emulators.
 */

export const dynamodb = DynamoDBDocumentClient.from(
  withoutSdkLogging(new DynamoDBClient(sdkClientConfig)),
  { marshallOptions: { removeUndefinedValues: true } },
);
