/**
 * Versioned SQLite schema for a Durable Object, kept per owner: each store that owns tables (the ledger's
 * object, the idempotency records, the schedule, the intent log) has its own steps, one per version, and a
 * shipped step is never edited. `PRAGMA user_version` is not available to Durable Objects, so versions live
 * in a `schema_versions` table; every pending step runs once, in order, in one transaction.
 */
export interface SchemaPart {
  owner: string;
  steps: readonly string[];
  /**
   * The tables (and rows) that steps 1..`version` leave, made in one go for an object that has none of this
   * owner's yet: a history of ALTERs and table rebuilds costs a new object more than its first write.
   */
  baseline?: { version: number; sql: string };
}

export interface Schema {
  /** Applied in this order, so an owner may rely on the tables of those before it. */
  parts: readonly SchemaPart[];
  /**
   * Objects created before versions were kept per owner counted one number, for `owner`, whose step 1 also
   * created step 1 of each of `included`.
   */
  legacy?: { owner: string; included: readonly string[] };
}

export function migrate(storage: DurableObjectStorage, schema: Schema): void {
  const sql = storage.sql;
  storage.transactionSync(() => {
    sql.exec("CREATE TABLE IF NOT EXISTS schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    adoptSingleVersion(sql, schema);
    const versions = new Map(
      sql.exec<{ owner: string; version: number }>("SELECT owner, version FROM schema_versions").toArray().map((r) => [r.owner, r.version]),
    );
    for (const { owner, steps, baseline } of schema.parts) {
      let current = versions.get(owner) ?? 0;
      if (current >= steps.length) continue;
      if (current === 0 && baseline) {
        sql.exec(baseline.sql);
        current = baseline.version;
      }
      for (let step = current; step < steps.length; step++) sql.exec(steps[step]!);
      setVersion(sql, owner, steps.length);
    }
  });
}

/** Turns an object's one `schema_version` number into the per-owner versions it stands for. */
function adoptSingleVersion(sql: SqlStorage, { legacy }: Schema): void {
  if (!legacy || !tableExists(sql, "schema_version")) return;
  const version = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  setVersion(sql, legacy.owner, version);
  if (version > 0) for (const owner of legacy.included) setVersion(sql, owner, 1);
  sql.exec("DROP TABLE schema_version");
}

function setVersion(sql: SqlStorage, owner: string, version: number): void {
  sql.exec(
    "INSERT INTO schema_versions (owner, version) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET version = excluded.version",
    owner,
    version,
  );
}

const tableExists = (sql: SqlStorage, name: string) =>
  sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;

/**
 * A schema created on the first write, never on a read: an object that was only asked about something it
 * never stored keeps no storage at all (API.md: reads never create state). An object that has storage is
 * brought up to date as soon as it starts.
 */
export class LazySchema {
  private created: boolean;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly schema: Schema,
  ) {
    this.created = tableExists(storage.sql, "schema_versions") || tableExists(storage.sql, "schema_version");
    if (this.created) migrate(storage, schema);
  }

  /** False while the object has never written anything: every read answers "nothing here". */
  get exists(): boolean {
    return this.created;
  }

  /** After `deleteAll()`, or a first write rolled back: the object is empty again, and reads answer "nothing here". */
  forget(): void {
    this.created = false;
  }

  /** Creates the schema if needed; called before the first write. */
  ensure(): void {
    if (this.created) return;
    migrate(this.storage, this.schema);
    this.created = true;
  }
}
