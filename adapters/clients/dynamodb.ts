import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { functionClient, sdkClientConfig } from './config.ts';

/*
 * The AWS SDK clients, one module each so that a function loads only the SDK packages it
 * uses (each one adds to its cold start). Created once per process; region, credentials and
 * endpoints come from the standard SDK configuration (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
 * …), which is how the local stack points the same code at its emulators. Each is traced
 * where tracing is on (functionClient).
 */

export const dynamodb = DynamoDBDocumentClient.from(
  functionClient(new DynamoDBClient(sdkClientConfig)),
  { marshallOptions: { removeUndefinedValues: true } },
);
