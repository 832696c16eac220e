/** How a reservation's record is copied to D1 for GET /v1/reservations (migration 0008). */
import { skusOf } from "../domain/bundles";
import { isoInstant } from "../domain/contract";
import { lineView, type ReservationRecord } from "./record";

export function reservationListingStatements(db: D1Database, r: ReservationRecord, revision: number): D1PreparedStatement[] {
  const updatedAt = isoInstant(r.updated_at_ms);
  // The SKU rows follow the row only when this copy is the newest one D1 has.
  const isNewest = "(SELECT revision FROM reservations WHERE id = ?) = ?";
  return [
    db
      .prepare(
        `INSERT INTO reservations (id, holder, status, lines, expires_at, order_id, created_at, updated_at, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, status = excluded.status, lines = excluded.lines,
           expires_at = excluded.expires_at, order_id = excluded.order_id, updated_at = excluded.updated_at,
           revision = excluded.revision
         WHERE excluded.revision > reservations.revision`,
      )
      .bind(r.id, r.holder, r.status, JSON.stringify(r.lines.map(lineView)), isoInstant(r.expires_at_ms), r.order_id, isoInstant(r.created_at_ms), updatedAt, revision),
    db.prepare(`DELETE FROM reservation_skus WHERE reservation_id = ? AND ${isNewest}`).bind(r.id, r.id, revision),
    // (v1.2) A reservation is found by a bundle's SKU and by each of its components'.
    ...skusOf(r.lines).map((sku) =>
      db
        .prepare(`INSERT OR IGNORE INTO reservation_skus (sku, updated_at, reservation_id) SELECT ?, ?, ? WHERE ${isNewest}`)
        .bind(sku, updatedAt, r.id, r.id, revision),
    ),
  ];
}
