import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { percentile } from './support.ts';

export interface LoadOptions {
  /** http://host:port/path */
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Requests before this are not counted. */
  warmupMs: number;
  /** Counted time, after the warm-up. */
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A closed-loop HTTP/1.1 load generator: `connections` keep-alive sockets, each sending the
 * same POST as soon as the previous response is complete. Written on raw sockets so the
 * client costs far less CPU than the servers it loads, and the same client measures both.
 * A response counts as an error unless it is HTTP 200 without GraphQL `errors`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const body = Buffer.from(options.body);
  const head = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    'content-type: application/json',
    ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  const request = Buffer.concat([Buffer.from(head, 'latin1'), body]);
  const started = performance.now();
  const countFrom = started + options.warmupMs;
  const end = countFrom + options.durationMs;
  const latencies: number[] = [];
  let errors = 0;

  const connection = () =>
    new Promise<void>((resolve) => {
      const socket: Socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.setNoDelay(true);
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        socket.destroy();
        resolve();
      };
      const sendNext = () => {
        if (performance.now() >= end) {
          finish();
          return;
        }
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on('connect', sendNext);
      socket.on('error', () => {
        if (!finished) errors += 1;
        finish();
      });
      socket.on('close', finish);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const headerEnd = buffer.indexOf(HEADER_END);
        if (headerEnd === -1) return;
        const header = buffer.toString('latin1', 0, headerEnd);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(header)?.[1];
        if (length === undefined) {
          errors += 1;
          finish();
          return;
        }
        const total = headerEnd + HEADER_END.length + Number(length);
        if (buffer.length < total) return;
        const now = performance.now();
        const ok =
          header.startsWith('HTTP/1.1 200') &&
          !buffer.subarray(headerEnd, total).includes('"errors"');
        buffer = buffer.subarray(total);
        if (sentAt >= countFrom && now <= end) {
          if (ok) latencies.push(now - sentAt);
          else errors += 1;
        }
        sendNext();
      });
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  return {
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / (options.durationMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
