/**
 * Writes a SKU's moves into the D1 read model through the `projected_moves` view, whose trigger keeps the
 * raw move only if it is not older than what retention already deleted, and counts it into the daily
 * rollups only once (migration 0004). Every statement is idempotent by (sku, seq) and the stock row only ever moves forward by version,
 * so a retried or replayed batch changes nothing the second time.
 */
import type { LocationStock, Move } from "../domain/contract";
import { NO_SETTINGS, type Settings } from "./settings-store";

/** Moves per D1 batch: one statement for all of them, plus the stock upsert. */
export const PROJECTION_BATCH_MOVES = 100;

/** A SKU's low-stock threshold, on its stock row (a SKU with no row yet gets it with its first move). */
export function settingsStatement(db: D1Database, sku: string, settings: Settings): D1PreparedStatement {
  return db
    .prepare("UPDATE stock SET low_stock_threshold = ?, backorder_limit = ?, preorder = ? WHERE sku = ?")
    .bind(settings.low_stock_threshold, settings.backorder_limit, settings.preorder ? 1 : 0, sku);
}

/**
 * The batch for one SKU's `moves`, its stock row carrying the SKU's current low-stock threshold and (v1.2)
 * its balances by location after the last of them; `locations` null keeps the row's (a batch that does not
 * reach the ledger's end, whose locations are not at hand).
 */
export function projectionStatements(
  db: D1Database,
  moves: readonly Move[],
  settings: Pick<Settings, "low_stock_threshold" | "backorder_limit" | "preorder"> = NO_SETTINGS,
  locations: readonly LocationStock[] | null = null,
): D1PreparedStatement[] {
  const last = moves[moves.length - 1];
  if (!last) return [];
  const upsertStock = db
    .prepare(
      `INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at, low_stock_threshold, locations,
                          incoming, backorder_limit, preorder)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
       ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
         committed = excluded.committed, available = excluded.available, version = excluded.version,
         updated_at = excluded.updated_at, low_stock_threshold = excluded.low_stock_threshold,
         locations = coalesce(excluded.locations, stock.locations), incoming = excluded.incoming,
         backorder_limit = excluded.backorder_limit, preorder = excluded.preorder
       WHERE excluded.version > stock.version`,
    )
    .bind(
      last.sku,
      last.on_hand,
      last.reserved,
      last.committed,
      last.available,
      last.seq,
      last.at,
      settings.low_stock_threshold,
      locations === null ? null : JSON.stringify(locations),
      last.incoming,
      settings.backorder_limit,
      settings.preorder ? 1 : 0,
    );
  // The whole batch is one statement over one JSON parameter: D1 pays per statement and per bound value,
  // and the view's trigger does per-row work either way. `ORDER BY key` keeps seq order for the rollups.
  const insertMoves = db
    .prepare(
      `INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available,
         reservation_id, order_id, reason, ref, at, location, to_location, incoming_id, incoming, actor)
       SELECT value ->> 'sku', value ->> 'seq', value ->> 'type', value ->> 'quantity', value ->> 'on_hand',
              value ->> 'reserved', value ->> 'committed', value ->> 'available', value ->> 'reservation_id',
              value ->> 'order_id', value ->> 'reason', value ->> 'ref', value ->> 'at', value ->> 'location',
              value ->> 'to_location', value ->> 'incoming_id', value ->> 'incoming', value ->> 'actor'
       FROM json_each(?1) ORDER BY key`,
    )
    .bind(JSON.stringify(moves));
  return [upsertStock, insertMoves];
}
