import { describe, expect, it } from 'vitest';
import { SingleRefresh } from '../../../domain/single-refresh.ts';

describe('SingleRefresh', () => {
  it('given a refresh running, then callers share it, and once it ends none is running', async () => {
    let runs = 0;
    const refreshes = new SingleRefresh(async () => ++runs, {
      abandonAfterMs: 1000,
      onError: () => undefined,
    });

    const first = refreshes.start(0);
    const shared = refreshes.running(10);

    expect(shared).toBe(first);
    expect(await first).toBe(1);
    expect(refreshes.running(20)).toBeNull();
    expect(refreshes.sinceAttempt(20)).toBe(20);
  });

  it('given a refresh that outlives abandonAfterMs, then it is no longer in charge and a new one may start', async () => {
    let finish: () => void = () => undefined;
    const charge: boolean[] = [];
    const refreshes = new SingleRefresh(
      async (startedAt) => {
        if (startedAt === 0) await new Promise<void>((resolve) => (finish = resolve));
        charge.push(refreshes.inCharge(startedAt));
      },
      { abandonAfterMs: 1000, onError: () => undefined },
    );
    const stuck = refreshes.start(0);
    await Promise.resolve();

    expect(refreshes.running(1000)).toBeNull();
    await refreshes.start(1000);
    finish();
    await stuck;

    expect(charge).toEqual([true, false]);
  });

  it('given a refresh that fails, then onError hears it and a caller that waits sees it', async () => {
    const errors: unknown[] = [];
    const refreshes = new SingleRefresh(
      async () => {
        throw new Error('throttled');
      },
      { abandonAfterMs: 1000, onError: (error) => errors.push(error) },
    );

    await expect(refreshes.start(0)).rejects.toThrow('throttled');
    await Promise.resolve();

    expect(errors).toHaveLength(1);
    expect(refreshes.running(1)).toBeNull();
  });
});
