import { performance } from 'node:perf_hooks';
import type { LocalStack } from '../local/stack.ts';
import { BENCH_DEVICE_PREFIX, type BenchCredentials } from './credentials.ts';
import type { QueueWatcher } from './stack.ts';
import { expectData, graphqlRequest, progress } from './support.ts';

const CREATE_CREDENTIAL = `mutation CreateCredential($input: CreateDeviceCredentialInput!) {
  createDeviceCredential(input: $input) { credential { id } token }
}`;
const INGEST_ONE = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`;

/** No rule watches this metric: the readings are stored and evaluated, never breach. */
const AUTHORIZER_METRIC = 'bench.authorizer';

export interface AuthorizerOptions {
  /** `ingestEvent` calls measured each way. */
  calls: number;
  /** Calls each way before measuring, not counted. */
  warmup: number;
  drainTimeoutMs: number;
}

export interface AuthorizerResult {
  /** Round trips with a token whose authorizer decision the endpoint has cached, in ms. */
  cachedMs: number[];
  /** Round trips with a token the endpoint has not seen: the authorizer runs, in ms. */
  uncachedMs: number[];
}

/**
 * What the device authorizer costs an `ingestEvent` round trip, on one stack, in one run:
 * calls with a device token whose decision the endpoint holds in its authorizer cache (one
 * credential, used over and over, as a device does within the cache's TTL) alternate with
 * calls with a token it has never seen (a new credential for each call), so the authorizer
 * function runs: it looks the credential up, checks the secret's hash and, on a
 * credential's first use, records `lastUsedAt`, as after every expiry of a cached decision
 * in AWS (the cache's 300 s are longer than `lastUsedAt`'s one-minute granularity).
 * Alternating, and swapping which goes first, lets both see the same machine at the same
 * moment. The credentials are issued by the admin beforehand, outside the measurement.
 */
export async function measureAuthorizerCost(
  stack: LocalStack,
  queue: QueueWatcher,
  credentials: BenchCredentials,
  options: AuthorizerOptions,
): Promise<AuthorizerResult> {
  const { GraphQLUrl: url } = stack.outputs;
  const issue = async (name: string) =>
    expectData(
      await graphqlRequest<{ createDeviceCredential: { token: string } }>(
        url,
        credentials.adminToken,
        CREATE_CREDENTIAL,
        { input: { name, deviceIdPrefix: BENCH_DEVICE_PREFIX } },
      ),
      'createDeviceCredential (authorizer)',
    ).createDeviceCredential.token;
  const rounds = options.warmup + options.calls;
  const cachedToken = await issue('bench: authorizer, cached');
  const freshTokens: string[] = [];
  for (let i = 0; i < rounds; i += 1) freshTokens.push(await issue(`bench: authorizer, new ${i}`));
  progress(`authorizer: ${rounds + 1} device credentials issued`);

  let sequence = 0;
  const sendOne = async (token: string) => {
    sequence += 1;
    const input = {
      deviceId: `${BENCH_DEVICE_PREFIX}authorizer-${sequence % 10}`,
      metric: AUTHORIZER_METRIC,
      value: sequence % 50,
    };
    const started = performance.now();
    const result = await graphqlRequest(url, token, INGEST_ONE, { input });
    const ms = performance.now() - started;
    expectData(result, 'ingestEvent (authorizer)');
    return ms;
  };
  const cachedMs: number[] = [];
  const uncachedMs: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const fresh = freshTokens[i] as string;
    let cached: number;
    let uncached: number;
    if (i % 2 === 0) {
      cached = await sendOne(cachedToken);
      uncached = await sendOne(fresh);
    } else {
      uncached = await sendOne(fresh);
      cached = await sendOne(cachedToken);
    }
    if (i >= options.warmup) {
      cachedMs.push(cached);
      uncachedMs.push(uncached);
    }
  }
  // Leave no backlog behind for whatever runs next on this stack.
  await queue.drained(options.drainTimeoutMs);
  return { cachedMs, uncachedMs };
}
