/**
 * Objects keep what they read from storage in memory while they live (an object runs one event at a time,
 * so nothing else writes it). What remembers must be able to forget: a transaction that fails is rolled
 * back, and so must be what memory learned in it.
 */
export interface Remembers {
  forget(): void;
}

/** One synchronous transaction; if it throws, every store in `memory` forgets, and the error goes on. */
export function transactSync<T>(storage: DurableObjectStorage, memory: readonly Remembers[], body: () => T): T {
  try {
    return storage.transactionSync(body);
  } catch (err) {
    for (const store of memory) store.forget();
    throw err;
  }
}
