/**
 * One refresh at a time, shared by every caller while it runs: how the worker's rule and
 * device caches (domain/rule-cache.ts, domain/device-cache.ts) read their changes. A refresh
 * that has not ended after `abandonAfterMs` (a connection lost while the function was frozen)
 * is abandoned: the next caller may start another, and `inCharge` tells the old run to
 * ignore what it read. A failure goes to `onError`; callers that wait see it too.
 */
export class SingleRefresh<T> {
  readonly #run: (startedAt: number) => Promise<T>;
  readonly #abandonAfterMs: number;
  readonly #onError: (error: unknown) => void;
  #current: { promise: Promise<T>; startedAt: number } | null = null;
  /** When the last refresh, successful or not, started: failures are retried at this pace. */
  #attemptedAt = -Infinity;

  constructor(
    run: (startedAt: number) => Promise<T>,
    options: { abandonAfterMs: number; onError: (error: unknown) => void },
  ) {
    this.#run = run;
    this.#abandonAfterMs = options.abandonAfterMs;
    this.#onError = options.onError;
  }

  /** The refresh running at `now`, if any. */
  running(now: number): Promise<T> | null {
    if (this.#current && now - this.#current.startedAt >= this.#abandonAfterMs) {
      this.#current = null;
    }
    return this.#current?.promise ?? null;
  }

  /** How long ago the last refresh started. */
  sinceAttempt(now: number): number {
    return now - this.#attemptedAt;
  }

  /** Starts a refresh; one still running is no longer in charge. */
  start(now: number): Promise<T> {
    this.#attemptedAt = now;
    // The run starts once this refresh is recorded, so it is in charge from its first step.
    const current = { startedAt: now, promise: Promise.resolve().then(() => this.#run(now)) };
    this.#current = current;
    const settled = () => {
      if (this.#current === current) this.#current = null;
    };
    current.promise.then(settled, (error: unknown) => {
      settled();
      this.#onError(error);
    });
    return current.promise;
  }

  /** Whether the refresh that started at `startedAt` is still the one in charge. */
  inCharge(startedAt: number): boolean {
    return this.#current?.startedAt === startedAt;
  }
}
