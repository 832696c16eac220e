/** The catalog's list of SKUs whose outbox is behind: what each SKU's LagReport says of itself. */
export type LaggingOutbox = "projection" | "events";

export interface Lagging {
  sku: string;
  outbox: LaggingOutbox;
  since_ms: number;
}

export const LAGGING_STEP = `
  CREATE TABLE lagging (
    sku      TEXT    NOT NULL,
    outbox   TEXT    NOT NULL CHECK (outbox IN ('projection', 'events')),
    since_ms INTEGER NOT NULL,
    PRIMARY KEY (sku, outbox)
  ) WITHOUT ROWID;
  CREATE INDEX lagging_by_since ON lagging (since_ms);
`;

/** Keeps the earliest report: an object that was evicted while behind reports again, later. */
export function noteBehind(sql: SqlStorage, { sku, outbox, since_ms }: Lagging): void {
  sql.exec("INSERT OR IGNORE INTO lagging (sku, outbox, since_ms) VALUES (?, ?, ?)", sku, outbox, since_ms);
}

export function noteCaughtUp(sql: SqlStorage, sku: string, outbox: LaggingOutbox): void {
  sql.exec("DELETE FROM lagging WHERE sku = ? AND outbox = ?", sku, outbox);
}

/** The longest behind first: those behind since `beforeMs` or earlier, and how many there are in all. */
export function laggingSince(sql: SqlStorage, beforeMs: number, limit: number): { rows: Lagging[]; total: number } {
  const rows = sql
    .exec<Lagging & Record<string, SqlStorageValue>>(
      "SELECT sku, outbox, since_ms FROM lagging WHERE since_ms <= ? ORDER BY since_ms, sku, outbox LIMIT ?",
      beforeMs,
      limit,
    )
    .toArray()
    .map(({ sku, outbox, since_ms }) => ({ sku, outbox, since_ms }));
  const total = sql.exec<{ n: number }>("SELECT count(*) AS n FROM lagging WHERE since_ms <= ?", beforeMs).one().n;
  return { rows, total };
}
