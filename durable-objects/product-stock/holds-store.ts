/**
 * Owns one SKU's `holds` (what each reservation holds here, with its fallback deadline and the order pinning
 * it during a commit) and `order_lines` (what each order took of this SKU and has done with it since).
 * Writes happen inside the caller's transaction; a hold's deadline lives in the object's schedule.
 */
import type { OrderLine } from "../domain/ledger";
import type { Schedule } from "../shared/schedule";

/** Schedule kind of a hold's own deadline: the fallback release if its coordinator never comes back. */
export const HOLD_DEADLINE = "hold";

export interface HoldRow {
  reservation_id: string;
  quantity: number;
  expires_at_ms: number;
  pinned_order_id: string | null;
  [column: string]: SqlStorageValue;
}

export interface OrderLineRow extends OrderLine {
  order_id: string;
  reservation_id: string;
  [column: string]: SqlStorageValue;
}

export class HoldsStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
  ) {}

  holdOf(reservationId: string): HoldRow | null {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE reservation_id = ?", reservationId).toArray()[0] ?? null;
  }

  /** Sets a hold (0 deletes it); its deadline applies unless an order pins it. */
  setHold(reservationId: string, quantity: number, deadlineMs: number, pinnedOrderId: string | null): void {
    if (quantity === 0) {
      this.sql.exec("DELETE FROM holds WHERE reservation_id = ?", reservationId);
      this.schedule.remove(HOLD_DEADLINE, reservationId);
      return;
    }
    this.sql.exec(
      `INSERT INTO holds (reservation_id, quantity, expires_at_ms, pinned_order_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity,
         expires_at_ms = excluded.expires_at_ms, pinned_order_id = excluded.pinned_order_id`,
      reservationId,
      quantity,
      deadlineMs,
      pinnedOrderId,
    );
    if (pinnedOrderId) this.schedule.remove(HOLD_DEADLINE, reservationId);
    else this.schedule.set(HOLD_DEADLINE, reservationId, deadlineMs);
  }

  /** Pins a hold for an order's commit: its own deadline no longer applies. */
  pin(reservationId: string, orderId: string): void {
    this.sql.exec("UPDATE holds SET pinned_order_id = ? WHERE reservation_id = ?", orderId, reservationId);
    this.schedule.remove(HOLD_DEADLINE, reservationId);
  }

  orderLine(orderId: string): OrderLineRow | null {
    return this.sql.exec<OrderLineRow>("SELECT * FROM order_lines WHERE order_id = ?", orderId).toArray()[0] ?? null;
  }

  openOrderLine(orderId: string, reservationId: string, committed: number): void {
    this.sql.exec(
      "INSERT INTO order_lines (order_id, reservation_id, committed) VALUES (?, ?, ?)",
      orderId,
      reservationId,
      committed,
    );
  }

  settleOrderLine(orderId: string, line: OrderLine): void {
    this.sql.exec(
      "UPDATE order_lines SET fulfilled = ?, cancelled = ?, returned = ? WHERE order_id = ?",
      line.fulfilled,
      line.cancelled,
      line.returned,
      orderId,
    );
  }
}
