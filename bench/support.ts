import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root, for files the benchmark reads (schema, resolver code, app). */
export const repoRoot = new URL('..', import.meta.url);

export { freePort } from '../local/free-ports.ts';

/**
 * Polls a condition until it holds or `timeoutMs` passes, so phases wait for the system
 * rather than for a guessed time. Returns false on timeout instead of throwing: a slow
 * system is a measurement, not an error.
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Nearest-rank percentile of an unsorted sample, so every latency figure is computed alike. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Median of a small sample (repeated start-up timings). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { errorType?: string; message: string }[];
}

/**
 * Kept-alive connections, as a long-lived client keeps them. node:http, not fetch: the
 * benchmark's clients share this machine's two cores with the stack, and fetch costs about
 * twice the CPU per call and adds a fifth of a millisecond to each loopback round trip.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

/** How long one benchmark request may take before it fails (fetch's default was 300 s). */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * One GraphQL request with `authorization` as its `Authorization` header (a user's JWT or a
 * device token), as any AppSync client sends it; the benchmark's own calls (rules, readings)
 * go through here so they look like a client's.
 */
export async function graphqlRequest<T = Record<string, unknown>>(
  url: string,
  authorization: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult<T>> {
  const target = new URL(url);
  const agent = agents[target.protocol as keyof typeof agents];
  if (!agent) throw new Error(`Not an http(s) URL: ${url}`);
  const body = JSON.stringify({ query, variables });
  const { status, text } = await post(target, agent, authorization, body).catch(
    (error: unknown) => {
      // A kept-alive connection the server closed just as it was reused: the request never
      // reached it, so sending it again on a new connection is safe.
      if (error instanceof ReusedSocketReset) return post(target, agent, authorization, body);
      throw error;
    },
  );
  try {
    return { status, ...(JSON.parse(text) as object) };
  } catch {
    throw new Error(`HTTP ${status} from ${url}, not JSON: ${text.slice(0, 200)}`);
  }
}

class ReusedSocketReset extends Error {}

function post(
  target: URL,
  agent: HttpAgent,
  authorization: string,
  body: string,
): Promise<{ status: number; text: string }> {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`No answer from ${target.href} within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        request.reusedSocket && error.code === 'ECONNRESET'
          ? new ReusedSocketReset(error.message)
          : error,
      ),
    );
    request.end(body);
  });
}

/** Fails loudly when a set-up call the benchmark depends on did not succeed. */
export function expectData<T>(result: GraphQLResult<T>, what: string): T {
  if (result.status !== 200 || result.errors?.length || !result.data) {
    throw new Error(`${what} failed (HTTP ${result.status}): ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/** Progress for the person waiting, on stderr so stdout carries only the report. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Milliseconds with a precision that suits the magnitude. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** A count or rate with thousands separators. */
export function formatNumber(value: number, fractionDigits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

/** Bytes as MB or KB (binary units, as sizes and RSS are usually read). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The message of anything thrown, for a table cell. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
