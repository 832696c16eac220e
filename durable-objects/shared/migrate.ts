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

/**
 * A schema created on the first write, never on a read: an object that was only asked about something it
 * never stored keeps no storage at all (API.md: reads never create state). An object that has storage is
 * brought up to date as soon as it starts.
 */
export class LazySchema {
  private created: boolean;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly steps: readonly string[],
  ) {
    this.created =
      storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray().length > 0;
    if (this.created) migrate(storage, steps);
  }

  /** False while the object has never written anything: every read answers "nothing here". */
  get exists(): boolean {
    return this.created;
  }

  /** Creates the schema if needed; called before the first write. */
  ensure(): void {
    if (this.created) return;
    migrate(this.storage, this.steps);
    this.created = true;
  }
}
