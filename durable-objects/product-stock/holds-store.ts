/**
 * Owns one SKU's `holds` (what each reservation holds here, with its fallback deadline and the order pinning
 * it during a commit) and `order_lines` (what each order took of this SKU and has done with it since).
 * Writes happen inside the caller's transaction. The holds live in memory while the object does (it runs
 * one event at a time, so nothing else writes them); `forget` drops them after a failed transaction.
 *
 * Hold deadlines share one schedule entry, at the earliest of them: the alarm releases every hold that is
 * due, then points the entry at the next.
 */
import type { CommittedLine, Hold, LocationTotals } from "../domain/ledger";
import { DEFAULT_LOCATION } from "../domain/locations";
import type { Schedule } from "../shared/schedule";

/** The schedule entry for the earliest fallback deadline of any unpinned hold. */
export const HOLD_DEADLINES = { kind: "holds", key: "earliest" } as const;
/** Objects from before the shared entry kept one schedule entry per hold, of this kind. */
export const LEGACY_HOLD_DEADLINE = "hold";

type Row<T> = T & Record<string, SqlStorageValue>;

/** Holds and lines stored before v1.2 have no allocations: everything was at `default`. */
function holdFrom(row: Row<Omit<Hold, "allocations"> & { allocations: string | null }>): Hold {
  const { reservation_id, quantity, expires_at_ms, pinned_order_id } = row;
  const allocations = row.allocations === null ? [{ location: DEFAULT_LOCATION, quantity }] : JSON.parse(row.allocations);
  return { reservation_id, quantity, expires_at_ms, pinned_order_id, allocations };
}

function lineFrom(row: Row<Omit<CommittedLine, "allocations"> & { allocations: string | null }>): CommittedLine {
  const { order_id, reservation_id, committed, fulfilled, cancelled, returned } = row;
  const allocations: LocationTotals[] =
    row.allocations === null ? [{ location: DEFAULT_LOCATION, committed, fulfilled, cancelled, returned }] : JSON.parse(row.allocations);
  return { order_id, reservation_id, committed, fulfilled, cancelled, returned, allocations };
}

export class HoldsStore {
  private holds: Map<string, Hold> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
  ) {}

  holdOf(reservationId: string): Hold | null {
    return this.all().get(reservationId) ?? null;
  }

  /** Stores a hold as decided (quantity 0 deletes it); its deadline applies unless an order pins it. */
  put(hold: Hold): void {
    const { reservation_id, quantity, expires_at_ms, pinned_order_id, allocations } = hold;
    if (quantity === 0) {
      this.sql.exec("DELETE FROM holds WHERE reservation_id = ?", reservation_id);
      this.all().delete(reservation_id);
      return;
    }
    this.sql.exec(
      `INSERT INTO holds (reservation_id, quantity, expires_at_ms, pinned_order_id, allocations) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity,
         expires_at_ms = excluded.expires_at_ms, pinned_order_id = excluded.pinned_order_id,
         allocations = excluded.allocations`,
      reservation_id,
      quantity,
      expires_at_ms,
      pinned_order_id,
      JSON.stringify(allocations),
    );
    this.all().set(reservation_id, { ...hold });
    if (!pinned_order_id) this.schedule.atOrBefore(HOLD_DEADLINES.kind, HOLD_DEADLINES.key, expires_at_ms);
  }

  /** Unpinned holds whose deadline has passed. */
  dueBy(nowMs: number): Hold[] {
    return [...this.all().values()].filter((h) => !h.pinned_order_id && h.expires_at_ms <= nowMs);
  }

  /** Points the shared deadline entry at the earliest unpinned hold, or removes it when there is none. */
  rescheduleDeadlines(): void {
    let earliest: number | null = null;
    for (const h of this.all().values()) {
      if (!h.pinned_order_id && (earliest === null || h.expires_at_ms < earliest)) earliest = h.expires_at_ms;
    }
    if (earliest === null) this.schedule.remove(HOLD_DEADLINES.kind, HOLD_DEADLINES.key);
    else this.schedule.set(HOLD_DEADLINES.kind, HOLD_DEADLINES.key, earliest);
  }

  lineOf(orderId: string): CommittedLine | null {
    const row = this.sql.exec<Row<Omit<CommittedLine, "allocations"> & { allocations: string | null }>>(
      "SELECT * FROM order_lines WHERE order_id = ?",
      orderId,
    ).toArray()[0];
    return row ? lineFrom(row) : null;
  }

  /** Stores an order's line as decided: opened by the commit, its totals only growing after. */
  putLine(line: CommittedLine): void {
    this.sql.exec(
      `INSERT INTO order_lines (order_id, reservation_id, committed, fulfilled, cancelled, returned, allocations)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET fulfilled = excluded.fulfilled, cancelled = excluded.cancelled,
         returned = excluded.returned, allocations = excluded.allocations`,
      line.order_id,
      line.reservation_id,
      line.committed,
      line.fulfilled,
      line.cancelled,
      line.returned,
      JSON.stringify(line.allocations),
    );
  }

  forget(): void {
    this.holds = undefined;
  }

  private all(): Map<string, Hold> {
    this.holds ??= new Map(
      this.sql
        .exec<Row<Omit<Hold, "allocations"> & { allocations: string | null }>>(
          "SELECT reservation_id, quantity, expires_at_ms, pinned_order_id, allocations FROM holds",
        )
        .toArray()
        .map((h) => [h.reservation_id, holdFrom(h)]),
    );
    return this.holds;
  }
}
