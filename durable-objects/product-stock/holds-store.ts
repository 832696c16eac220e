/**
 * Owns one SKU's `holds` (what each reservation holds here, with its fallback deadline and the order pinning
 * it during a commit) and `order_lines` (what each order took of this SKU and has done with it since).
 * Writes happen inside the caller's transaction; a hold's deadline lives in the object's schedule.
 */
import type { CommittedLine, Hold } from "../domain/ledger";
import type { Schedule } from "../shared/schedule";

/** Schedule kind of a hold's own deadline: the fallback release if its coordinator never comes back. */
export const HOLD_DEADLINE = "hold";

type Row<T> = T & Record<string, SqlStorageValue>;

export class HoldsStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
  ) {}

  holdOf(reservationId: string): Hold | null {
    return this.sql.exec<Row<Hold>>("SELECT * FROM holds WHERE reservation_id = ?", reservationId).toArray()[0] ?? null;
  }

  /** Stores a hold as decided (quantity 0 deletes it); its deadline applies unless an order pins it. */
  put(hold: Hold): void {
    const { reservation_id, quantity, expires_at_ms, pinned_order_id } = hold;
    if (quantity === 0) {
      this.sql.exec("DELETE FROM holds WHERE reservation_id = ?", reservation_id);
      this.schedule.remove(HOLD_DEADLINE, reservation_id);
      return;
    }
    this.sql.exec(
      `INSERT INTO holds (reservation_id, quantity, expires_at_ms, pinned_order_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity,
         expires_at_ms = excluded.expires_at_ms, pinned_order_id = excluded.pinned_order_id`,
      reservation_id,
      quantity,
      expires_at_ms,
      pinned_order_id,
    );
    if (pinned_order_id) this.schedule.remove(HOLD_DEADLINE, reservation_id);
    else this.schedule.set(HOLD_DEADLINE, reservation_id, expires_at_ms);
  }

  lineOf(orderId: string): CommittedLine | null {
    return this.sql.exec<Row<CommittedLine>>("SELECT * FROM order_lines WHERE order_id = ?", orderId).toArray()[0] ?? null;
  }

  /** Stores an order's line as decided: opened by the commit, its totals only growing after. */
  putLine(line: CommittedLine): void {
    this.sql.exec(
      `INSERT INTO order_lines (order_id, reservation_id, committed, fulfilled, cancelled, returned)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET fulfilled = excluded.fulfilled, cancelled = excluded.cancelled,
         returned = excluded.returned`,
      line.order_id,
      line.reservation_id,
      line.committed,
      line.fulfilled,
      line.cancelled,
      line.returned,
    );
  }
}
