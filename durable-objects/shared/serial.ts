/**
 * Runs async operations on one object strictly one after another. A Durable Object's input gate opens on
 * every await to another object, so a coordinator that calls products needs this to keep a PUT, a DELETE and
 * a commit on the same reservation from interleaving.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Runs a drain (a flush, a send) at most once at a time; a caller during a run shares that run. */
export class SingleFlight {
  private running: Promise<void> | null = null;

  run(drain: () => Promise<void>): Promise<void> {
    this.running ??= drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
