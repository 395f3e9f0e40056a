import { createServer } from 'node:net';
import type { LocalStackPorts } from './stack.ts';

/** A port free on loopback right now, for a server about to start (tests, the benchmark). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Free ports for every server of a local stack, so several can run side by side. */
export async function freeStackPorts(): Promise<LocalStackPorts> {
  return {
    graphql: await freePort(),
    https: await freePort(),
    dynamodb: await freePort(),
    sqs: await freePort(),
    smtp: await freePort(),
    inbox: await freePort(),
  };
}
