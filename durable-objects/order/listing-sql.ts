/** How an order is copied to D1 for GET /v1/orders (migration 0008). */
import type { Order as OrderView } from "../domain/contract";
import { skusOf } from "../domain/bundles";
import { outstanding } from "../domain/order-lines";

export function orderListingStatements(db: D1Database, o: OrderView, revision: number): D1PreparedStatement[] {
  const isNewest = "(SELECT revision FROM orders WHERE order_id = ?) = ?";
  const open = o.lines.reduce((n, l) => n + outstanding(l), 0);
  return [
    db
      .prepare(
        `INSERT INTO orders (order_id, reservation_id, lines, outstanding, created_at, updated_at, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET lines = excluded.lines, outstanding = excluded.outstanding,
           updated_at = excluded.updated_at, revision = excluded.revision
         WHERE excluded.revision > orders.revision`,
      )
      .bind(o.order_id, o.reservation_id, JSON.stringify(o.lines), open, o.created_at, o.updated_at, revision),
    db.prepare(`DELETE FROM order_skus WHERE order_id = ? AND ${isNewest}`).bind(o.order_id, o.order_id, revision),
    // (v1.2) An order is found by a bundle's SKU and by each of its components'.
    ...skusOf(o.lines).map((sku) =>
      db
        .prepare(`INSERT OR IGNORE INTO order_skus (sku, updated_at, order_id) SELECT ?, ?, ? WHERE ${isNewest}`)
        .bind(sku, o.updated_at, o.order_id, o.order_id, revision),
    ),
  ];
}
