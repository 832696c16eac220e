/** Queries of the D1 read model: listings, history and the change feed. Never used to decide a sale. */
import type { Move, Stock } from "../contract";
import type { MoveType } from "../../durable-objects/product-stock/ledger";

export interface StockPage {
  items: Stock[];
  next_after_sku: string | null;
}

export interface FeedMove extends Move {
  cursor: string;
}

export interface FeedPage {
  moves: FeedMove[];
  next_after: string | null;
}

export interface StockFilter {
  after_sku?: string | undefined;
  limit: number;
  in_stock?: boolean | undefined;
}

export interface MoveFilter {
  sku?: string | undefined;
  type?: MoveType | undefined;
  reservation_id?: string | undefined;
  order_id?: string | undefined;
  ref?: string | undefined;
  /** Milliseconds since the epoch, inclusive. */
  since?: number | undefined;
  /** Milliseconds since the epoch, exclusive. */
  until?: number | undefined;
  after?: string | undefined;
  limit: number;
}

type StockRow = Stock & Record<string, unknown>;
type MoveRow = Omit<Move, "sku"> & { sku: string; cursor: number; at_day: string };

/** A read-side statement and its bindings; every builder is run through the index proof. */
export interface Statement {
  sql: string;
  binds: unknown[];
}

export function stockListSql(filter: StockFilter): Statement {
  const where = ["sku > ?"];
  if (filter.in_stock === true) where.push("available > 0");
  if (filter.in_stock === false) where.push("available = 0");
  return {
    sql: `SELECT sku, on_hand, reserved, committed, available, version, updated_at FROM stock
          WHERE ${where.join(" AND ")} ORDER BY sku LIMIT ?`,
    binds: [filter.after_sku ?? "", filter.limit + 1],
  };
}

export async function listStock(db: D1Database, filter: StockFilter): Promise<StockPage> {
  const { sql, binds } = stockListSql(filter);
  const { results } = await db.prepare(sql).bind(...binds).all<StockRow>();
  const items = results.slice(0, filter.limit);
  return {
    items,
    next_after_sku: results.length > filter.limit ? items[items.length - 1]!.sku : null,
  };
}

function moveFilterSql(filter: MoveFilter): { where: string; binds: unknown[] } {
  const where: string[] = [];
  const binds: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    binds.push(value);
  };
  eq("sku", filter.sku);
  eq("type", filter.type);
  eq("reservation_id", filter.reservation_id);
  eq("order_id", filter.order_id);
  eq("ref", filter.ref);
  if (filter.since !== undefined) {
    where.push("at >= ?");
    binds.push(new Date(filter.since).toISOString());
  }
  if (filter.until !== undefined) {
    where.push("at < ?");
    binds.push(new Date(filter.until).toISOString());
  }
  where.push("cursor > ?");
  binds.push(filter.after === undefined ? 0 : Number(filter.after));
  return { where: where.join(" AND "), binds };
}

export function moveListSql(filter: MoveFilter): Statement {
  const { where, binds } = moveFilterSql(filter);
  // A time window with no equality filter reads just the window through the time index (then sorts it by
  // cursor); left to itself the planner walks the cursor order from `after` and filters every move on `at`.
  const timeOnly =
    (filter.since !== undefined || filter.until !== undefined) &&
    [filter.sku, filter.type, filter.reservation_id, filter.order_id, filter.ref].every((v) => v === undefined);
  const table = timeOnly ? "moves INDEXED BY moves_by_time" : "moves";
  return { sql: `SELECT * FROM ${table} WHERE ${where} ORDER BY cursor LIMIT ?`, binds: [...binds, filter.limit] };
}

export async function listMoves(db: D1Database, filter: MoveFilter): Promise<FeedPage> {
  const { sql, binds } = moveListSql(filter);
  const { results } = await db.prepare(sql).bind(...binds).all<MoveRow>();
  const moves = results.map(toFeedMove);
  return { moves, next_after: moves.length > 0 ? moves[moves.length - 1]!.cursor : (filter.after ?? null) };
}

function toFeedMove(r: MoveRow): FeedMove {
  return {
    sku: r.sku,
    seq: r.seq,
    type: r.type,
    quantity: r.quantity,
    on_hand: r.on_hand,
    reserved: r.reserved,
    committed: r.committed,
    available: r.available,
    reservation_id: r.reservation_id,
    order_id: r.order_id,
    reason: r.reason,
    ref: r.ref,
    at: r.at,
    cursor: String(r.cursor),
  };
}
