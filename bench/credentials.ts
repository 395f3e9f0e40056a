import type { LocalStackOutputs } from '../local/stack.ts';
import { localAdmin } from '../test/support/users.ts';

/**
 * The start of every device id the benchmark sends readings for: the local stack's demo
 * device credential (`DemoDeviceToken`) covers exactly the ids that start with it.
 */
export const BENCH_DEVICE_PREFIX = 'demo-';

/** What the benchmark's clients present, as the product's own clients do. */
export interface BenchCredentials {
  /** The local admin's ID token (user pool, group `admins`): rules, queries, subscriptions. */
  adminToken: string;
  /** The demo device credential's token (AWS_LAMBDA authorizer): ingest. */
  deviceToken: string;
}

/**
 * Signs the stack's first admin in once (USER_PASSWORD_AUTH against `CognitoEndpoint`, with
 * the AWS SDK's Cognito client) and takes the demo device token from the outputs. The ID
 * token, not the access token: it carries the e-mail the API records as `createdBy`, and it
 * is what AppSync clients put in the real-time `Authorization` header.
 */
export async function benchCredentials(outputs: LocalStackOutputs): Promise<BenchCredentials> {
  const admin = await localAdmin(outputs);
  return { adminToken: admin.idToken, deviceToken: outputs.DemoDeviceToken };
}
