/**
 * A page's repeated loads of the same view, where only the newest answer counts: each run
 * supersedes the ones before it and their results are dropped, so a slow answer for a range
 * the operator has left cannot overwrite a quicker one for the range chosen after it.
 */
export class LatestLoad {
  #latest = 0;
  #busy = false;

  /** Whether the newest run is still out, so a refresh tick can skip rather than pile up. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Runs `load`; `apply` or `fail` hears of it only if no later run started meanwhile. */
  async run<T>(
    load: () => Promise<T>,
    apply: (result: T) => void,
    fail: (error: unknown) => void,
  ): Promise<void> {
    const run = ++this.#latest;
    this.#busy = true;
    try {
      const result = await load();
      if (run === this.#latest) apply(result);
    } catch (error) {
      if (run === this.#latest) fail(error);
    } finally {
      if (run === this.#latest) this.#busy = false;
    }
  }

  /** Drops whatever is still out, for a page that goes away. */
  cancel(): void {
    this.#latest++;
    this.#busy = false;
  }
}
