import { createServer, type Server } from 'node:net';
import type { LocalStackPorts } from './stack.ts';

/**
 * `count` different ports free on loopback right now, for servers about to start (tests, the
 * benchmark). Each is held until all are chosen: a port released at once may be handed out
 * again by the next request for any free port, and two servers of one stack would then meet.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.unref();
      held.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        }),
      );
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
