import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchScript } from '../../../bench/child-process.ts';

/*
 * The benchmark's client processes get their tokens from their environment: a command line
 * is visible to every user of the machine (`ps`, /proc/<pid>/cmdline). The load client runs
 * against a stand-in GraphQL server on 127.0.0.1 that notes what each request carried.
 */

const deviceToken = `tad_${'a'.repeat(32)}_${'b'.repeat(64)}`;
const commandLines: string[] = [];
const authorizations: string[] = [];
let server: Server;
let url: string;
let childPid: number | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    authorizations.push(request.headers.authorization ?? '');
    // While the client is sending, its command line is what `ps` shows.
    if (childPid !== undefined && commandLines.length === 0) {
      commandLines.push(readFileSync(`/proc/${childPid}/cmdline`, 'utf8'));
    }
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ data: { ingestEvents: { accepted: 1, rejected: 0 } } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => {
  server?.close();
});

describe('bench client processes', () => {
  it.runIf(existsSync('/proc/self/cmdline'))(
    'given the load client started as the throughput phase starts it, then it sends the device token it got from its environment, and its command line does not hold it',
    async () => {
      // Act
      const child = startBenchScript('./load-clients.ts', [url, 1, 1, 300], { deviceToken }, [
        'ignore',
        'pipe',
        'ignore',
      ]);
      childPid = child.pid;
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];

      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(output.trim()).accepted).toBeGreaterThan(0);
      expect(authorizations.length).toBeGreaterThan(0);
      expect(new Set(authorizations)).toEqual(new Set([deviceToken]));
      expect(commandLines).toHaveLength(1);
      expect(commandLines[0]).toContain('load-clients.ts');
      expect(commandLines[0]).not.toContain(deviceToken);
    },
  );
});
