/**
 * Where the local stack takes the functions' EMF lines from, as CloudWatch Logs takes them
 * from a Lambda function's output in AWS: the standard output of the process the resolvers
 * (and, without a thread of its own, the worker) run in, and the worker thread's standard
 * output. EMF lines go to the CloudWatch emulator instead of the terminal; every other line
 * reaches the terminal as before.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { mayBeEmf } from './emf.ts';

type Write = NodeJS.WriteStream['write'];

/**
 * Taps a stream's writes (the process's stdout): the EMF lines in a write go to `onEmf`,
 * the rest is written as it came. A function writes each EMF document whole, in one write
 * (Powertools' `console.log`), so a write is looked into only when it holds `"_aws"`; other
 * output passes untouched. Returns how to take the tap off.
 */
export function tapEmf(stream: NodeJS.WriteStream, onEmf: (line: string) => void): () => void {
  const write = stream.write;
  const tapped = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
          : null;
    if (text === null || !text.includes('"_aws"')) {
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    }
    const kept = text.split('\n').filter((line) => {
      if (!mayBeEmf(line)) return true;
      onEmf(line);
      return false;
    });
    const remainder = kept.join('\n');
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (remainder === '') {
      if (callback) process.nextTick(callback);
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(
      this,
      remainder,
      ...rest.filter((arg) => typeof arg !== 'string'),
    );
  } as Write;
  stream.write = tapped;
  return () => {
    if (stream.write === tapped) stream.write = write;
  };
}

/**
 * Reads a stream (a worker thread's stdout) line by line: EMF lines to `onEmf`, the others to
 * `onLine`. Resolves once the stream has ended and every line is handed on.
 */
export function splitEmf(
  input: Readable,
  onEmf: (line: string) => void,
  onLine: (line: string) => void,
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => (mayBeEmf(line) ? onEmf(line) : onLine(line)));
  return new Promise((resolve) => lines.once('close', resolve));
}
