/**
 * The SQLite schema of one SKU's Durable Object, versioned in `schema_version` because `PRAGMA user_version`
 * is not available to Durable Objects. Each step runs once, in order, inside one synchronous transaction.
 */
const STEPS: readonly string[] = [
  // 1: the ledger, its snapshot, holds by reservation, idempotency records, outbox and deadline schedule.
  `
  CREATE TABLE stock_moves (
    seq            INTEGER PRIMARY KEY CHECK (seq >= 1),
    type           TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    on_hand        INTEGER NOT NULL,
    reserved       INTEGER NOT NULL CHECK (reserved >= 0),
    committed      INTEGER NOT NULL CHECK (committed >= 0),
    reservation_id TEXT,
    order_id       TEXT,
    reason         TEXT,
    ref            TEXT,
    at_ms          INTEGER NOT NULL,
    CHECK (on_hand - reserved - committed >= 0)
  );
  CREATE INDEX stock_moves_by_time ON stock_moves (at_ms);

  CREATE TABLE stock (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sku           TEXT    NOT NULL,
    on_hand       INTEGER NOT NULL,
    reserved      INTEGER NOT NULL CHECK (reserved >= 0),
    committed     INTEGER NOT NULL CHECK (committed >= 0),
    version       INTEGER NOT NULL CHECK (version >= 0),
    updated_at_ms INTEGER,
    CHECK (on_hand - reserved - committed >= 0)
  );

  CREATE TABLE holds (
    reservation_id TEXT    PRIMARY KEY,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    expires_at_ms  INTEGER NOT NULL
  );

  CREATE TABLE idempotency (
    scope_key     TEXT    PRIMARY KEY,
    fingerprint   TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);

  CREATE TABLE outbox (seq INTEGER PRIMARY KEY);

  CREATE TABLE schedule (
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    due_at_ms INTEGER NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
  );
  CREATE INDEX schedule_by_due ON schedule (due_at_ms);
  `,
];

export const SCHEMA_VERSION = STEPS.length;

export function migrate(storage: DurableObjectStorage): void {
  storage.transactionSync(() => {
    storage.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
    const current = row?.version ?? 0;
    for (let step = current; step < STEPS.length; step++) storage.sql.exec(STEPS[step]!);
    if (!row) storage.sql.exec("INSERT INTO schema_version (version) VALUES (?)", STEPS.length);
    else if (current !== STEPS.length) storage.sql.exec("UPDATE schema_version SET version = ?", STEPS.length);
  });
}
