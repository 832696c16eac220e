/**
 * GET /v1/moves: the change feed of the D1 read model, one index walk a page whatever the filters, and a
 * seller's share of it. Never used to decide a sale.
 */
import type { Move } from "../../durable-objects/domain/contract";
import type { MoveType } from "../../durable-objects/domain/balances";
import { PAST_SKU_CHARACTERS, type Statement } from "./queries";
import type { ReadModel } from "./session";

export interface FeedMove extends Move {
  cursor: string;
}

export interface FeedPage {
  moves: FeedMove[];
  next_after: string | null;
}

export interface MoveFilter {
  sku?: string | undefined;
  type?: MoveType | undefined;
  reservation_id?: string | undefined;
  order_id?: string | undefined;
  ref?: string | undefined;
  /** (v1.2) Moves at this location, and transfers into it. */
  location?: string | undefined;
  /** (v1.2) Moves made by this actor. */
  actor?: string | undefined;
  /** (v1.2) Only SKUs starting with this (a seller's token). */
  prefix?: string | undefined;
  /** Milliseconds since the epoch, inclusive. */
  since?: number | undefined;
  /** Milliseconds since the epoch, exclusive. */
  until?: number | undefined;
  after?: string | undefined;
  limit: number;
}

type MoveRow = Omit<Move, "sku"> & { sku: string; cursor: number; at_day: string };

/** Cursors per block of the `move_blocks` zone map (migration 0005): 2^12. */
const MOVE_BLOCK_BITS = 12;
/** Past any cursor D1 will ever assign. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

type EqualityFilter = "sku" | "type" | "reservation_id" | "order_id" | "ref" | "actor";

/**
 * Which index a /v1/moves page walks, by the most selective equality filter given: an order or a
 * reservation has a handful of moves, a SKU its ledger, a ref its receipts, a type an eighth of everything.
 * With none, the page walks the cursor itself. Named explicitly, so the plan never depends on statistics.
 */
function moveIndexFor(filter: MoveFilter): string | null {
  if (filter.order_id !== undefined) return "moves_by_order";
  if (filter.reservation_id !== undefined) return "moves_by_reservation";
  if (filter.sku !== undefined) return filter.type !== undefined ? "moves_by_sku_type" : "moves_by_sku";
  if (filter.ref !== undefined) return "moves_by_ref";
  if (filter.actor !== undefined) return "moves_by_actor";
  if (filter.type !== undefined) return "moves_by_type";
  return null;
}

const EQUALITY_FILTERS: readonly EqualityFilter[] = ["sku", "type", "reservation_id", "order_id", "ref", "actor"];

/**
 * A time window holding at most this many moves (by `move_hours`) is read whole through moves_by_time and
 * sorted, when no order, reservation, SKU or ref narrows the page first. Past it, the cursor walk is
 * cheaper: matches are dense enough in cursor order, or the zone map skips to them.
 */
const NARROW_WINDOW_MOVES = 20_000;

/** Whether a page may read its time window through the time index: a window and no selective filter. */
export function readsWindowByTime(filter: MoveFilter): boolean {
  const hasWindow = filter.since !== undefined || filter.until !== undefined;
  const selective = [filter.order_id, filter.reservation_id, filter.sku, filter.ref, filter.location].some((v) => v !== undefined);
  return hasWindow && !selective;
}

/** How many moves fall in the UTC hours of the window, from the per-hour counts (an upper bound). */
export function windowSizeSql(filter: MoveFilter): Statement {
  const from = filter.since === undefined ? "0000-01-01T00" : new Date(filter.since).toISOString().slice(0, 13);
  const to = filter.until === undefined ? "9999-12-31T23" : new Date(filter.until).toISOString().slice(0, 13);
  return { sql: "SELECT coalesce(sum(moves), 0) AS n FROM move_hours WHERE hour BETWEEN ? AND ?", binds: [from, to] };
}

/**
 * A seller's feed (a prefix, and no order, reservation, SKU or ref to lead the walk) whose SKUs have made at
 * most this many moves is read whole through moves_by_sku and sorted; past it, its moves are dense enough
 * in cursor order for the walk to find a page soon.
 */
const SMALL_SELLER_MOVES = 10_000;
/** Past this many SKUs a seller is not small, whatever their moves: the count stops there. */
const SMALL_SELLER_SKUS = 2_000;

/** Whether a seller's page may read its SKUs' moves through the SKU index: nothing more selective leads. */
export function readsPrefixBySku(filter: MoveFilter): boolean {
  const selective = [filter.order_id, filter.reservation_id, filter.sku, filter.ref].some((v) => v !== undefined);
  return filter.prefix !== undefined && !selective;
}

/**
 * How many moves the prefix's SKUs have made (their versions: an upper bound of what D1 keeps), over at most
 * SMALL_SELLER_SKUS + 1 stock rows, and how many SKUs were counted.
 */
export function prefixSizeSql(prefix: string): Statement {
  return {
    sql: `SELECT coalesce(sum(version), 0) AS n, count(*) AS skus
          FROM (SELECT version FROM stock WHERE sku >= ? AND sku < ? LIMIT ${SMALL_SELLER_SKUS + 1})`,
    binds: [prefix, prefix + PAST_SKU_CHARACTERS],
  };
}

/** Whether the prefix's SKUs are few and have made few moves (see SMALL_SELLER_MOVES). */
export async function isSmallSeller(db: ReadModel, prefix: string): Promise<boolean> {
  const size = prefixSizeSql(prefix);
  const counted = await db.prepare(size.sql).bind(...size.binds).first<{ n: number; skus: number }>();
  return (counted?.skus ?? 0) <= SMALL_SELLER_SKUS && (counted?.n ?? 0) <= SMALL_SELLER_MOVES;
}

/**
 * One page of GET /v1/moves. `narrowWindow`: the time window is known to be small, so it is read whole
 * through moves_by_time and sorted by cursor; `smallSeller`: the prefix's SKUs have few moves, so those are
 * read through moves_by_sku and sorted. Otherwise the page walks an index in cursor order.
 */
export function moveListSql(filter: MoveFilter, narrowWindow = false, smallSeller = false): Statement {
  const where: string[] = [];
  const binds: unknown[] = [];
  for (const column of EQUALITY_FILTERS) {
    if (filter[column] === undefined) continue;
    where.push(`${column} = ?`);
    binds.push(filter[column]);
  }
  if (filter.prefix !== undefined) {
    // A seller's moves: a filter on whichever walk the page takes (the index a named SKU leads to, or the cursor).
    where.push("sku >= ? AND sku < ?");
    binds.push(filter.prefix, filter.prefix + PAST_SKU_CHARACTERS);
  }
  const after = filter.after === undefined ? 0 : Number(filter.after);
  const since = filter.since === undefined ? undefined : new Date(filter.since).toISOString();
  const until = filter.until === undefined ? undefined : new Date(filter.until).toISOString();
  if (since !== undefined) {
    where.push("at >= ?");
    binds.push(since);
  }
  if (until !== undefined) {
    where.push("at < ?");
    binds.push(until);
  }
  // The cursor range, as one lower and one upper bound (the planner uses one of each): past `after`, and
  // within the blocks of the zone map that can hold the time window.
  if (since === undefined) {
    where.push("cursor > ?");
    binds.push(after);
  } else {
    where.push(`cursor > max(?, coalesce((SELECT (block << ${MOVE_BLOCK_BITS}) - 1 FROM move_blocks
      WHERE block >= (? >> ${MOVE_BLOCK_BITS}) AND max_at >= ? ORDER BY block LIMIT 1), ${NO_CURSOR}))`);
    binds.push(after, after, since);
  }
  if (until !== undefined) {
    where.push(`cursor <= coalesce((SELECT (max(block) << ${MOVE_BLOCK_BITS}) + ${(1 << MOVE_BLOCK_BITS) - 1}
      FROM move_blocks WHERE min_at < ?), -1)`);
    binds.push(until);
  }
  const index =
    smallSeller && readsPrefixBySku(filter)
      ? "moves_by_sku"
      : narrowWindow && readsWindowByTime(filter)
        ? "moves_by_time"
        : moveIndexFor(filter);
  if (filter.location !== undefined) {
    if (index) {
      // A more selective filter leads the walk; the location only filters it.
      where.push("(location = ? OR to_location = ?)");
      binds.push(filter.location, filter.location);
    } else {
      // The location leads: its moves and the transfers into it, two index walks merged in cursor order.
      const terms = where.join(" AND ");
      return {
        sql: `SELECT * FROM moves INDEXED BY moves_by_location WHERE location = ? AND ${terms}
              UNION ALL
              SELECT * FROM moves INDEXED BY moves_by_to_location WHERE to_location = ? AND ${terms}
              ORDER BY cursor LIMIT ?`,
        binds: [filter.location, ...binds, filter.location, ...binds, filter.limit],
      };
    }
  }
  const table = index ? `moves INDEXED BY ${index}` : "moves NOT INDEXED";
  return {
    sql: `SELECT * FROM ${table} WHERE ${where.join(" AND ")} ORDER BY cursor LIMIT ?`,
    binds: [...binds, filter.limit],
  };
}

export async function listMoves(
  db: ReadModel,
  filter: MoveFilter,
  narrowWindowMoves = NARROW_WINDOW_MOVES,
): Promise<FeedPage> {
  let narrow = false;
  const smallSeller = readsPrefixBySku(filter) && (await isSmallSeller(db, filter.prefix!));
  if (!smallSeller && readsWindowByTime(filter)) {
    const size = windowSizeSql(filter);
    const counted = await db.prepare(size.sql).bind(...size.binds).first<{ n: number }>();
    narrow = (counted?.n ?? 0) <= narrowWindowMoves;
  }
  const { sql, binds } = moveListSql(filter, narrow, smallSeller);
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
    location: r.location,
    to_location: r.to_location,
    incoming_id: r.incoming_id ?? null,
    incoming: r.incoming ?? 0,
    actor: r.actor ?? null,
    cursor: String(r.cursor),
  };
}
