import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { startSqsAndSns } from '../../local/emulators.ts';
import { freePorts } from '../../local/free-ports.ts';

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

  /**
   * Runs fauxqs (started, then stopped) with DatabaseSync#exec recorded: the SQL it ran, in
   * order, its connections' `synchronous` setting while it ran, and whether the start left
   * the method as it found it.
   */
  const run = async (dataDir: string | null) => {
    const exec = DatabaseSync.prototype.exec;
    const statements: string[] = [];
    const connections = new Set<DatabaseSync>();
    const recorder = function (this: DatabaseSync, sql: string) {
      statements.push(sql.trim());
      connections.add(this);
      exec.call(this, sql);
    };
    DatabaseSync.prototype.exec = recorder;
    try {
      const [port] = (await freePorts(1)) as [number];
      const queues = await startSqsAndSns({
        host: '127.0.0.1',
        port,
        dataDir,
        region: 'us-east-1',
      });
      const restored = DatabaseSync.prototype.exec === recorder;
      const synchronous = [...connections].map((db) => db.prepare('PRAGMA synchronous').get());
      await queues.close();
      return { statements, synchronous, restored };
    } finally {
      DatabaseSync.prototype.exec = exec;
    }
  };

  it('given a data directory, when fauxqs opens its database, then its write-ahead log is not flushed to disk on every change, and the start leaves node:sqlite as it was', async () => {
    const { statements, synchronous, restored } = await run(scratch());

    const wal = statements.findIndex((sql) => /^PRAGMA journal_mode\s*=\s*WAL;?$/i.test(sql));
    expect(wal).toBeGreaterThanOrEqual(0);
    expect(statements[wal + 1]).toBe('PRAGMA synchronous = NORMAL');
    // SQLite's numbers: 1 is NORMAL, 2 (its default) FULL.
    expect(synchronous).toEqual([{ synchronous: 1 }]);
    expect(restored).toBe(true);
  });

  it('given no data directory, when fauxqs starts, then it opens no database', async () => {
    const { statements, restored } = await run(null);
    expect(statements).toEqual([]);
    expect(restored).toBe(true);
  });
});
