import { request } from 'node:http';
import { WebSocket } from 'ws';

/** What came back from a raw HTTP request: status, headers, body text and the body as JSON. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * POSTs exactly the bytes given, with exactly the headers given, so tests can send what no
 * GraphQL client would: broken JSON, invalid UTF-8, bodies without a content-length.
 * `chunked` streams the body in pieces with no content-length, as a proxy might.
 */
export function rawPost(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { chunked?: boolean } = {},
): Promise<RawResponse> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: options.chunked
          ? { ...headers, 'transfer-encoding': 'chunked' }
          : { ...headers, 'content-length': String(bytes.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    // The server may answer (413) and close before it has read everything we send.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunked) {
      const size = 64 * 1024;
      for (let start = 0; start < bytes.length; start += size) {
        req.write(bytes.subarray(start, start + size));
      }
      req.end();
    } else {
      req.end(bytes);
    }
  });
}

/** A frame the realtime endpoint sent. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are checked by assertions, not types
export type Frame = Record<string, any>;

/** A websocket to the realtime endpoint that records every frame and how it closed. */
export interface RealtimeProbe {
  readonly frames: Frame[];
  /** The raw text of every frame, for checks on what the server put in them. */
  readonly texts: string[];
  /** Sends a frame: an object as JSON text, a string as text, a Buffer as a binary frame. */
  send(frame: Frame | string | Buffer): void;
  /** The first frame not yet taken that matches, within the deadline. */
  next(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** The close code, once the socket closed (within the deadline). */
  closed(timeoutMs?: number): Promise<number>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/**
 * Opens a realtime connection the way AppSync clients do, with the connect-time headers in
 * the `header` query parameter (base64 JSON); `header: null` sends none.
 */
export function openRealtime(
  realtimeUrl: string,
  header: Record<string, string> | string | null,
): Promise<RealtimeProbe> {
  const encoded =
    header === null
      ? null
      : typeof header === 'string'
        ? header
        : Buffer.from(JSON.stringify(header)).toString('base64');
  const url =
    encoded === null
      ? realtimeUrl
      : `${realtimeUrl}?header=${encodeURIComponent(encoded)}&payload=e30%3D`;
  const ws = new WebSocket(url, 'graphql-ws');
  const frames: Frame[] = [];
  const texts: string[] = [];
  const taken = new Set<Frame>();
  const listeners = new Set<() => void>();
  let closeCode: number | undefined;
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  ws.on('message', (data) => {
    const text = String(data);
    texts.push(text);
    try {
      frames.push(JSON.parse(text) as Frame);
    } catch {
      frames.push({ type: '(not JSON)', text });
    }
    notify();
  });
  ws.on('close', (code) => {
    closeCode = code;
    notify();
  });
  ws.on('error', () => {});
  const until = <T>(check: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        listeners.delete(attempt);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(attempt);
        reject(new Error(`No ${what} within ${timeoutMs} ms; frames: ${texts.join(' ')}`));
      }, timeoutMs);
      listeners.add(attempt);
      attempt();
    });
  const probe: RealtimeProbe = {
    frames,
    texts,
    send(frame) {
      if (Buffer.isBuffer(frame)) ws.send(frame, { binary: true });
      else ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(match, timeoutMs = 5000) {
      return until(
        () => {
          const found = frames.find((frame) => !taken.has(frame) && match(frame));
          if (found) taken.add(found);
          return found;
        },
        'matching frame',
        timeoutMs,
      );
    },
    closed(timeoutMs = 5000) {
      return until(() => closeCode, 'close', timeoutMs);
    },
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    close() {
      return new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(probe));
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`Upgrade refused with HTTP ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
}
