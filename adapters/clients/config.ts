import { tracer } from '../tracer.ts';
import { NodeSha256 } from './sha256.ts';

/** Settings every AWS SDK client here is created with (see NodeSha256). */
export const sdkClientConfig = { sha256: NodeSha256 };

/**
 * Takes the SDK's logger middleware off a client. It builds a redacted copy of every request
 * and response for the client's logger even when there is none (the default no-op logger):
 * about a quarter of the client-side CPU of a 25-item BatchWriteItem. No client here has an
 * SDK logger; a failed call reaches its caller as an error, which the handler logs.
 */
export function withoutSdkLogging<T extends { middlewareStack: { remove(name: string): boolean } }>(
  client: T,
): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/**
 * Makes a client as every client here is made: without the SDK's logger middleware, and
 * traced (each call a subsegment of the invocation's trace) where tracing is on.
 */
export function functionClient<T extends { middlewareStack: { remove(name: string): boolean } }>(
  client: T,
): T {
  const lean = withoutSdkLogging(client);
  return tracer ? tracer.captureAWSv3Client(lean) : lean;
}
