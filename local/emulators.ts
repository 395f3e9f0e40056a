import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { type ListenOptions, Server } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import type { EmulatorThreadOptions } from './emulator-thread.ts';
import type { InspectedQueue } from './queue-metrics.ts';
import { closeServer, listen } from './http-server.ts';

/** A server the local stack started, and how to stop it. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * DynamoDB's wire protocol, served by dynalite; with `dataDir`, tables live in LevelDB
 * there and survive restarts.
 */
export async function startDynamoDb(options: {
  host: string;
  port: number;
  dataDir: string | null;
}): Promise<RunningServer> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listen(server, options.port, options.host);
  return {
    url: `http://${options.host}:${port}`,
    close: () => closeServer(server),
  };
}

/**
 * SQS and SNS wire protocols, served by fauxqs; with `dataDir`, queues, messages and
 * subscriptions are written through to SQLite there on every change (see
 * withoutSyncPerCommit).
 */
export async function startSqsAndSns(options: {
  host: string;
  port: number;
  dataDir: string | null;
  region: string;
}): Promise<RunningServer & { inspectQueue(name: string): InspectedQueue | undefined }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await onLoopback(options.host, () =>
    withoutSyncPerCommit(() =>
      startFauxqs({
        port: options.port,
        logger: false,
        defaultRegion: options.region,
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      }),
    ),
  );
  return {
    url: `http://${options.host}:${server.port}`,
    close: () => server.stop(),
    inspectQueue: (name) => server.inspectQueue(name),
  };
}

/**
 * fauxqs always binds every interface (0.0.0.0); the local stack serves loopback only, so
 * while it starts, a listen on all interfaces is redirected to `host`.
 */
async function onLoopback<T>(host: string, start: () => Promise<T>): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (first && typeof first === 'object' && (first as ListenOptions).host === '0.0.0.0') {
      args[0] = { ...(first as ListenOptions), host };
    }
    return listen.apply(this, args as Parameters<Server['listen']>);
  } as Server['listen'];
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
}

/**
 * fauxqs opens its SQLite database in WAL mode with SQLite's default `synchronous = FULL`,
 * which flushes the log to the disk (fsync) on every change: every send, receive and delete
 * then waits on the disk, and the emulators' thread with it. With `NORMAL`, a change is in
 * the operating system's hands when the call returns, so it survives the local stack's
 * process being killed (restart.test.ts), though not a power loss or an operating-system
 * crash, which dynalite's LevelDB does not survive either. While fauxqs starts, the pragma
 * is added after its own (`journal_mode = WAL`).
 */
async function withoutSyncPerCommit<T>(start: () => Promise<T>): Promise<T> {
  const exec = DatabaseSync.prototype.exec;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql)) {
      exec.call(this, 'PRAGMA synchronous = NORMAL');
    }
  };
  try {
    return await start();
  } finally {
    DatabaseSync.prototype.exec = exec;
  }
}

/** An SMTP server with a web inbox (MailDev): where alert e-mails land locally. */
export async function startInbox(options: {
  host: string;
  smtpPort: number;
  webPort: number;
  mailDir: string;
}): Promise<RunningServer & { smtpPort: number }> {
  mkdirSync(options.mailDir, { recursive: true });
  // Loaded here, not at the top: the emulator thread imports this module for DynamoDB and
  // SQS only, and MailDev's web inbox costs every stack start seconds of CPU it never uses.
  const { MailDev } = await import('maildev');
  const maildev = new MailDev({
    smtp: options.smtpPort,
    ip: options.host,
    web: options.webPort,
    webIp: options.host,
    mailDirectory: options.mailDir,
    silent: true,
  });
  await maildev.start();
  return {
    url: `http://${options.host}:${options.webPort}`,
    smtpPort: options.smtpPort,
    close: () => maildev.stop(),
  };
}

/** The emulators' thread, as the stack sees it. */
export interface EmulatorThread {
  dynamodbUrl: string;
  sqsUrl: string;
  cloudwatchUrl: string;
  /** Hands a function's EMF line to the CloudWatch emulator. */
  recordEmf(line: string): void;
  /** The queues whose AWS/SQS metrics the CloudWatch emulator keeps, by name. */
  watchQueues(names: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * Starts DynamoDB, SQS/SNS and CloudWatch on a worker thread (see emulator-thread.ts), so the
 * local stack uses a second core. Resolves with their URLs; `close` stops them and the thread.
 */
export async function startEmulatorThread(options: EmulatorThreadOptions): Promise<EmulatorThread> {
  const worker = new Worker(new URL('./emulator-thread.ts', import.meta.url), {
    workerData: options,
  });
  type Ready = { dynamodbUrl: string; sqsUrl: string; cloudwatchUrl: string };
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { type: string; message?: string } & Partial<Ready>) => {
      if (message.type === 'ready') {
        resolve({
          dynamodbUrl: message.dynamodbUrl ?? '',
          sqsUrl: message.sqsUrl ?? '',
          cloudwatchUrl: message.cloudwatchUrl ?? '',
        });
      } else reject(new Error(`The emulators did not start: ${message.message ?? message.type}`));
    });
  });
  let closed = false;
  return {
    ...ready,
    recordEmf: (line) => {
      if (!closed) worker.postMessage({ type: 'emf', line });
    },
    watchQueues: (names) => worker.postMessage({ type: 'watchQueues', names: [...names] }),
    close: async () => {
      closed = true;
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    },
  };
}
