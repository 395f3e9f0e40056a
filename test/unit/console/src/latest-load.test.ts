import { describe, expect, it } from 'vitest';
import { LatestLoad } from '../../../../console/src/latest-load.ts';

/** A promise the test settles when it chooses, as a slow or quick response would. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LatestLoad', () => {
  it('given a slow load and a quicker one started after it, when the slow one answers last, then only the quicker one is applied', async () => {
    // Prepare
    const loads = new LatestLoad();
    const applied: string[] = [];
    const slow = deferred<string>();
    const quick = deferred<string>();
    const first = loads.run(
      () => slow.promise,
      (r) => applied.push(r),
      () => undefined,
    );
    const second = loads.run(
      () => quick.promise,
      (r) => applied.push(r),
      () => undefined,
    );

    // Act
    quick.resolve('15 min');
    await second;
    slow.resolve('24 h');
    await first;

    // Assess
    expect(applied).toEqual(['15 min']);
  });

  it('given a load that was superseded, when it fails, then its error is not reported', async () => {
    // Prepare
    const loads = new LatestLoad();
    const failures: unknown[] = [];
    const old = deferred<string>();
    const first = loads.run(
      () => old.promise,
      () => undefined,
      (e) => failures.push(e),
    );
    const second = loads.run(
      () => Promise.resolve('new'),
      () => undefined,
      (e) => failures.push(e),
    );
    await second;

    // Act
    old.reject(new Error('timed out'));
    await first;

    // Assess
    expect(failures).toEqual([]);
  });

  it('given the newest load fails, then its error is reported', async () => {
    const loads = new LatestLoad();
    const failures: unknown[] = [];

    await loads.run(
      () => Promise.reject(new Error('refused')),
      () => undefined,
      (e) => failures.push(e),
    );

    expect(failures).toEqual([new Error('refused')]);
  });

  it('given a load out, then it is busy until the newest one settles, not the older one', async () => {
    // Prepare
    const loads = new LatestLoad();
    const older = deferred<number>();
    const newer = deferred<number>();
    expect(loads.busy).toBe(false);
    const first = loads.run(
      () => older.promise,
      () => undefined,
      () => undefined,
    );
    const second = loads.run(
      () => newer.promise,
      () => undefined,
      () => undefined,
    );

    // Act and assess
    older.resolve(1);
    await first;
    expect(loads.busy).toBe(true);
    newer.resolve(2);
    await second;
    expect(loads.busy).toBe(false);
  });

  it('given a page that goes away, when its load answers afterwards, then nothing is applied', async () => {
    const loads = new LatestLoad();
    const applied: number[] = [];
    const pending = deferred<number>();
    const run = loads.run(
      () => pending.promise,
      (r) => applied.push(r),
      () => undefined,
    );

    loads.cancel();
    pending.resolve(1);
    await run;

    expect(applied).toEqual([]);
    expect(loads.busy).toBe(false);
  });
});
