/**
 * Versioned SQLite schema for a Durable Object. `PRAGMA user_version` is not available to Durable Objects,
 * so the version lives in a `schema_version` table; each step runs once, in order, in one transaction.
 */
export function migrate(storage: DurableObjectStorage, steps: readonly string[]): void {
  storage.transactionSync(() => {
    storage.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
    const current = row?.version ?? 0;
    if (current === steps.length) return;
    for (let step = current; step < steps.length; step++) storage.sql.exec(steps[step]!);
    if (row) storage.sql.exec("UPDATE schema_version SET version = ?", steps.length);
    else storage.sql.exec("INSERT INTO schema_version (version) VALUES (?)", steps.length);
  });
}
