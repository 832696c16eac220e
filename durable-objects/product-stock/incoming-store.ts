/**
 * (v1.2) Owns one SKU's `incoming`: the purchase orders whose units are on their way, as the decider left
 * them, with the times they were declared and last changed. Written only inside the command's transaction.
 */
import { isoInstant } from "../domain/contract";
import type { IncomingRecord, IncomingStatus } from "../domain/incoming";

export interface StoredIncoming extends IncomingRecord {
  created_at_ms: number;
  updated_at_ms: number;
}

/** The Incoming object of the contract. */
export interface Incoming {
  id: string;
  sku: string;
  location: string;
  quantity: number;
  received: number;
  expected_at: string;
  status: IncomingStatus;
  created_at: string;
  updated_at: string;
}

type Row = StoredIncoming & Record<string, SqlStorageValue>;

export class IncomingStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly exists: () => boolean,
  ) {}

  get(id: string): StoredIncoming | null {
    if (!this.exists()) return null;
    return this.sql.exec<Row>("SELECT * FROM incoming WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Every incoming, or those of one status, by expected date then id. */
  list(status: IncomingStatus | null): StoredIncoming[] {
    if (!this.exists()) return [];
    const rows =
      status === null
        ? this.sql.exec<Row>("SELECT * FROM incoming ORDER BY expected_at_ms, id")
        : this.sql.exec<Row>("SELECT * FROM incoming WHERE status = ? ORDER BY expected_at_ms, id", status);
    return rows.toArray();
  }

  /** Stores an incoming as decided, inside the caller's transaction; a record that did not change keeps its time. */
  put(record: IncomingRecord, nowMs: number): StoredIncoming {
    const before = this.get(record.id);
    const changed =
      !before ||
      (["location", "quantity", "received", "expected_at_ms", "status"] as const).some((field) => before[field] !== record[field]);
    const stored: StoredIncoming = {
      ...record,
      created_at_ms: before?.created_at_ms ?? nowMs,
      updated_at_ms: changed ? nowMs : before.updated_at_ms,
    };
    this.sql.exec(
      `INSERT INTO incoming (id, location, quantity, received, expected_at_ms, status, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET location = excluded.location, quantity = excluded.quantity,
         received = excluded.received, expected_at_ms = excluded.expected_at_ms, status = excluded.status,
         updated_at_ms = excluded.updated_at_ms`,
      stored.id,
      stored.location,
      stored.quantity,
      stored.received,
      stored.expected_at_ms,
      stored.status,
      stored.created_at_ms,
      stored.updated_at_ms,
    );
    return stored;
  }
}

export const incomingView = (sku: string, i: StoredIncoming): Incoming => ({
  id: i.id,
  sku,
  location: i.location,
  quantity: i.quantity,
  received: i.received,
  expected_at: isoInstant(i.expected_at_ms),
  status: i.status,
  created_at: isoInstant(i.created_at_ms),
  updated_at: isoInstant(i.updated_at_ms),
});
