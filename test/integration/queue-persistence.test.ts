import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { startSqsAndSns } from '../../local/emulators.ts';
import { freePorts } from '../../local/ports.ts';

describe('the queue emulator writing through to disk', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-persistence-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The SQL fauxqs's start and stop run through DatabaseSync#exec, in order. */
  const statementsWhileRunning = async (dataDir: string | null): Promise<string[]> => {
    const exec = DatabaseSync.prototype.exec;
    const statements: string[] = [];
    DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
      statements.push(sql.trim());
      exec.call(this, sql);
    };
    try {
      const [port] = (await freePorts(1)) as [number];
      const queues = await startSqsAndSns({
        host: '127.0.0.1',
        port,
        dataDir,
        region: 'us-east-1',
      });
      await queues.close();
    } finally {
      DatabaseSync.prototype.exec = exec;
    }
    return statements;
  };

  it('given a data directory, when fauxqs opens its database, then its write-ahead log is not flushed to disk on every change, and databases opened afterwards keep SQLite’s default', async () => {
    const statements = await statementsWhileRunning(scratch());

    const wal = statements.findIndex((sql) => /^PRAGMA journal_mode\s*=\s*WAL;?$/i.test(sql));
    expect(wal).toBeGreaterThanOrEqual(0);
    expect(statements[wal + 1]).toBe('PRAGMA synchronous = NORMAL');
    const other = new DatabaseSync(join(scratch(), 'other.db'));
    try {
      other.exec('PRAGMA journal_mode = WAL');
      expect(other.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    } finally {
      other.close();
    }
  });

  it('given no data directory, when fauxqs starts, then it opens no database', async () => {
    expect(await statementsWhileRunning(null)).toEqual([]);
  });
});
