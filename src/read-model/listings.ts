/**
 * GET /v1/reservations and GET /v1/orders from the copies the coordinators keep in D1 (migration 0008):
 * newest `updated_at` first, paged by an opaque cursor, each filter walking an index that ends in
 * (updated_at, id). Eventually consistent, like every D1 read: a reservation past `expires_at` shows as
 * expired at once, and is stored as expired when its alarm releases it.
 */
import type { Order, OrderLine, Reservation, ReservationLine, ReservationStatus } from "../../durable-objects/domain/contract";
import { DEFAULT_LOCATION } from "../../durable-objects/domain/locations";
import type { Statement } from "./queries";
import type { ReadModel } from "./session";

/** Where a page stopped: the last row's `updated_at` and id. */
export interface ListingKey {
  updated_at: string;
  id: string;
}

export function encodeListingKey(key: ListingKey): string {
  return btoa(JSON.stringify([key.updated_at, key.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The key inside a cursor this API returned, or null for anything else. */
export function decodeListingKey(cursor: string): ListingKey | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(value) && value.length === 2) {
      const [updated_at, id] = value as unknown[];
      if (typeof updated_at === "string" && typeof id === "string") return { updated_at, id };
    }
  } catch {
    // not one of ours
  }
  return null;
}

export interface ReservationFilter {
  holder?: string | undefined;
  status?: ReservationStatus | undefined;
  sku?: string | undefined;
  after?: ListingKey | undefined;
  limit: number;
}

export interface OrderFilter {
  reservation_id?: string | undefined;
  sku?: string | undefined;
  open?: boolean | undefined;
  after?: ListingKey | undefined;
  limit: number;
}

export interface ListingPage<T> {
  items: T[];
  next_after: string | null;
}

/** Where a listing lives in D1: its table, its SKU rows, and the index each filter walks. */
interface ListingTable {
  table: string;
  id: string;
  skus: string;
  /** The record's id as its SKU rows name it. */
  skusId: string;
  columns: string;
}

const RESERVATIONS: ListingTable = {
  table: "reservations",
  id: "id",
  skus: "reservation_skus",
  skusId: "reservation_id",
  columns: `r.id, r.holder, CASE WHEN r.status = 'active' AND r.expires_at <= ? THEN 'expired' ELSE r.status END AS status,
            r.lines, r.expires_at, r.order_id, r.created_at, r.updated_at`,
};

const ORDERS: ListingTable = {
  table: "orders",
  id: "order_id",
  skus: "order_skus",
  skusId: "order_id",
  columns: "r.order_id, r.reservation_id, r.lines, r.created_at, r.updated_at",
};

/**
 * A newest-first page of `listing`: through its SKU rows when a SKU is given (they carry `updated_at`, so
 * they are already in page order), else through `index`; `where` filters the records (alias `r`).
 */
function listingSql(
  listing: ListingTable,
  index: string,
  filter: { sku?: string | undefined; after?: ListingKey | undefined; limit: number },
  where: string[],
  binds: unknown[],
  columnBinds: unknown[] = [],
): Statement {
  const bySku = filter.sku !== undefined;
  const [at, id] = bySku ? ["s.updated_at", `s.${listing.skusId}`] : ["r.updated_at", `r.${listing.id}`];
  const conditions = [...(bySku ? ["s.sku = ?"] : []), ...where];
  const conditionBinds = [...(bySku ? [filter.sku] : []), ...binds];
  if (filter.after) {
    conditions.push(`(${at}, ${id}) < (?, ?)`);
    conditionBinds.push(filter.after.updated_at, filter.after.id);
  }
  const from = bySku
    ? `${listing.skus} s JOIN ${listing.table} r ON r.${listing.id} = s.${listing.skusId}`
    : `${listing.table} r INDEXED BY ${index}`;
  return {
    sql: `SELECT ${listing.columns} FROM ${from} ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""}
          ORDER BY ${at} DESC, ${id} DESC LIMIT ?`,
    binds: [...columnBinds, ...conditionBinds, filter.limit + 1],
  };
}

/** One page (plus one row, to tell whether another follows); exported for the index proof. */
export function reservationListSql(filter: ReservationFilter, nowIso: string): Statement {
  const where: string[] = [];
  const binds: unknown[] = [];
  if (filter.holder !== undefined) {
    where.push("r.holder = ?");
    binds.push(filter.holder);
  }
  if (filter.status === "active") {
    where.push("r.status = 'active' AND r.expires_at > ?");
    binds.push(nowIso);
  } else if (filter.status !== undefined) {
    where.push("r.status = ?");
    binds.push(filter.status);
  }
  const index =
    filter.holder !== undefined ? "reservations_by_holder" : filter.status !== undefined ? "reservations_by_status" : "reservations_by_update";
  return listingSql(RESERVATIONS, index, filter, where, binds, [nowIso]);
}

export function orderListSql(filter: OrderFilter): Statement {
  const where: string[] = [];
  const binds: unknown[] = [];
  if (filter.reservation_id !== undefined) {
    where.push("r.reservation_id = ?");
    binds.push(filter.reservation_id);
  }
  if (filter.open !== undefined) where.push(filter.open ? "r.outstanding > 0" : "r.outstanding = 0");
  const index =
    filter.reservation_id !== undefined
      ? "orders_by_reservation"
      : filter.open === true
        ? "orders_open"
        : filter.open === false
          ? "orders_closed"
          : "orders_by_update";
  return listingSql(ORDERS, index, filter, where, binds);
}

type Row = Record<string, unknown> & { lines: string; updated_at: string };

async function page<T>(db: ReadModel, { sql, binds }: Statement, limit: number, idOf: (row: Row) => string, toItem: (row: Row) => T) {
  const { results } = await db.prepare(sql).bind(...binds).all<Row>();
  const rows = results.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map(toItem),
    next_after: results.length > limit && last ? encodeListingKey({ updated_at: last.updated_at, id: idOf(last) }) : null,
  };
}

/** Copies made before v1.2 have lines without allocations: everything was at `default`. */
const reservationLines = (lines: Array<Omit<ReservationLine, "allocations"> & Partial<ReservationLine>>): ReservationLine[] =>
  lines.map((l) => ({ ...l, allocations: l.allocations ?? [{ location: DEFAULT_LOCATION, quantity: l.quantity }] }));
const orderLines = (lines: Array<Omit<OrderLine, "allocations"> & Partial<OrderLine>>): OrderLine[] =>
  lines.map((l) => ({
    ...l,
    allocations: l.allocations ?? [{ location: DEFAULT_LOCATION, committed: l.committed, fulfilled: l.fulfilled, cancelled: l.cancelled, returned: l.returned }],
  }));

export function listReservations(db: ReadModel, filter: ReservationFilter, nowMs: number): Promise<ListingPage<Reservation>> {
  return page(db, reservationListSql(filter, new Date(nowMs).toISOString()), filter.limit, (r) => r.id as string, (r) => ({
    ...(r as unknown as Reservation),
    lines: reservationLines(JSON.parse(r.lines)),
  }));
}

export function listOrders(db: ReadModel, filter: OrderFilter): Promise<ListingPage<Order>> {
  return page(db, orderListSql(filter), filter.limit, (r) => r.order_id as string, (r) => ({
    ...(r as unknown as Order),
    lines: orderLines(JSON.parse(r.lines)),
  }));
}
