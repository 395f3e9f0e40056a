import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { LocalStackPorts } from './stack.ts';

/**
 * The range the OS draws the local ports of outgoing connections from (Linux), or null.
 * A server's port taken from it can be held by a client's connection meanwhile: a stack
 * restarted on the ports it had (after a crash, in the tests) would then fail to listen.
 */
function ephemeralRange(): { low: number; high: number } | null {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low && high ? { low, high } : null;
  } catch {
    return null;
  }
}

/** Ports below the ephemeral range, from 10,000: where no outgoing connection lands. */
const BELOW_EPHEMERAL_FROM = 10_000;

/**
 * The slice of the range this process draws from, when several processes draw at once:
 * test files run two at a time, each starting stacks on free ports, and a port one file
 * found free could be taken by the other's stack before its own listens. Each vitest worker
 * takes a slice of its own (test/support/port-slice.ts). Slice 0 of 1: the whole range.
 */
let slice = { index: 0, count: 1 };

/**
 * Draws every port of this process from slice `index` (0 to `count` - 1) of the range.
 * Returns the slice drawn from before, to go back to.
 */
export function drawPortsFromSlice(index: number, count: number): { index: number; count: number } {
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) {
    throw new RangeError(`No port slice ${index} of ${count}`);
  }
  const before = slice;
  slice = { index, count };
  return before;
}

/** The part of [low, high) this process draws from. */
function sliceOf(low: number, high: number): { low: number; high: number } {
  const size = Math.floor((high - low) / slice.count);
  const start = low + slice.index * size;
  return { low: start, high: start + size };
}

/** Listens on `port` (0: any) on loopback; the port it got, or null when it is taken. */
function hold(server: Server, port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(null) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : null);
    });
  });
}

/**
 * `count` different ports free on loopback right now, for servers about to start (tests, the
 * benchmark). Each is held until all are chosen: a port released at once may be handed out
 * again by the next request for any free port, and two servers of one stack would then meet.
 * On Linux they are drawn at random below the ephemeral range, so that no client's
 * connection can take one before its server listens, or again while it restarts; from
 * this process's slice of that range, if it has one (`drawPortsFromSlice`).
 */
export async function freePorts(count: number): Promise<number[]> {
  const range = ephemeralRange();
  const below =
    range && range.low - BELOW_EPHEMERAL_FROM > 1_000
      ? sliceOf(BELOW_EPHEMERAL_FROM, range.low)
      : null;
  const held: Server[] = [];
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const server = createServer();
      server.unref();
      const wanted =
        below === null ? 0 : below.low + Math.floor(Math.random() * (below.high - below.low));
      const port = await hold(server, wanted);
      if (port === null) continue;
      if (ports.includes(port)) {
        server.close();
        continue;
      }
      held.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(
      held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}

/** A port free on loopback right now, for a server about to start. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * Free ports for every server of a local stack, so several can run side by side; with
 * `console`, one for the operator console too.
 */
export async function freeStackPorts(
  options: { console?: boolean } = {},
): Promise<LocalStackPorts> {
  const ports = await freePorts(options.console ? 9 : 8);
  const [graphql, https, dynamodb, sqs, smtp, inbox, cognito, cloudwatch] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const consolePort = ports[8];
  return {
    graphql,
    https,
    dynamodb,
    sqs,
    smtp,
    inbox,
    cognito,
    cloudwatch,
    ...(consolePort === undefined ? {} : { console: consolePort }),
  };
}
