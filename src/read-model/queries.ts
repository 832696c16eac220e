/** The D1 read model's stock listing (GET /v1/stock), and what every read-side statement shares. Never used to decide a sale. */
import type { LocationStock, StockTotals } from "../../durable-objects/domain/contract";
import { DEFAULT_LOCATION } from "../../durable-objects/domain/locations";
import { bundleAvailable, type Component } from "../../durable-objects/domain/bundles";
import type { ReadModel } from "./session";

/**
 * An item of GET /v1/stock: a SKU's Stock with its `locations`, or (v1.2, `?location=`) its row at that
 * location, which says `location` instead.
 */
export interface ListedStock extends StockTotals {
  locations?: LocationStock[];
  location?: string;
}

/** (v1.2) A bundle named by `?sku=`: what its components' rows make. */
export interface ListedBundle {
  sku: string;
  bundle: true;
  components: Component[];
  available: number;
}

export interface StockPage {
  items: Array<ListedStock | ListedBundle>;
  next_after_sku: string | null;
}

export interface StockFilter {
  after_sku?: string | undefined;
  limit: number;
  in_stock?: boolean | undefined;
  /** Only SKUs whose available is at or below their low_stock_threshold. */
  low?: boolean | undefined;
  /** Only SKUs starting with this. */
  prefix?: string | undefined;
  /** Only these SKUs. */
  sku?: string[] | undefined;
  /** (v1.2) The rows of this location, one per SKU that ever had a move there. */
  location?: string | undefined;
  /** (v1.2) Only SKUs whose available is below what their backorder policy lets holds take it to. */
  short?: boolean | undefined;
}

/** Past every character a SKU may hold (SKU_PATTERN is ASCII up to `z`): the end of a prefix's range. */
export const PAST_SKU_CHARACTERS = "~";

type StockRow = StockTotals & { locations?: string | null; location?: string } & Record<string, unknown>;

/** A read-side statement and its bindings; every builder is run through the index proof. */
export interface Statement {
  sql: string;
  binds: unknown[];
}

export function stockListSql(filter: StockFilter): Statement {
  const after = filter.after_sku ?? "";
  const where: string[] = [];
  const binds: unknown[] = [];
  // One lower and one upper bound on sku, so the page is one range of whichever index it walks.
  if (filter.prefix !== undefined && after < filter.prefix) {
    where.push("sku >= ?");
    binds.push(filter.prefix);
  } else {
    where.push("sku > ?");
    binds.push(after);
  }
  if (filter.prefix !== undefined) {
    where.push("sku < ?");
    binds.push(filter.prefix + PAST_SKU_CHARACTERS);
  }
  if (filter.sku !== undefined) {
    // One JSON parameter for the list: D1 takes at most 100 bound values a query, and the list may be 100.
    where.push("sku IN (SELECT value FROM json_each(?))");
    binds.push(JSON.stringify(filter.sku));
  }
  if (filter.location !== undefined) {
    // One location's rows (migration 0011), walked by (location, sku) through the index of the stock filter.
    if (filter.in_stock === true) where.push("available > 0");
    if (filter.in_stock === false) where.push("available <= 0");
    const index =
      filter.in_stock === true ? "stock_locations_in_stock" : filter.in_stock === false ? "stock_locations_out_of_stock" : null;
    return {
      sql: `SELECT sku, location, on_hand, reserved, committed, available, version, updated_at
            FROM stock_locations${index ? ` INDEXED BY ${index}` : ""}
            WHERE location = ? AND ${where.join(" AND ")} ORDER BY sku LIMIT ?`,
      binds: [filter.location, ...binds, filter.limit + 1],
    };
  }
  if (filter.in_stock === true) where.push("available > 0");
  if (filter.in_stock === false) where.push("available <= 0");
  // The terms of the partial indexes `stock_low` (migration 0007) and `stock_short` (0012), which hold
  // exactly the low and the short SKUs.
  if (filter.low === true) where.push("low_stock_threshold IS NOT NULL AND available <= low_stock_threshold");
  if (filter.short === true) where.push("available < -(backorder_limit + preorder * incoming)");
  const table = filter.short === true ? "stock INDEXED BY stock_short" : filter.low === true ? "stock INDEXED BY stock_low" : "stock";
  return {
    sql: `SELECT sku, on_hand, reserved, committed, available, version, updated_at, locations FROM ${table}
          WHERE ${where.join(" AND ")} ORDER BY sku LIMIT ?`,
    binds: [...binds, filter.limit + 1],
  };
}

/** A row as the API lists it: with its locations (a row from before v1.2 is all at `default`), or its one. */
function toListedStock(row: StockRow): ListedStock {
  const { sku, on_hand, reserved, committed, available, version, updated_at } = row;
  const totals: StockTotals = { sku, on_hand, reserved, committed, available, version, updated_at };
  if (row.location !== undefined) return { ...totals, location: row.location };
  const locations: LocationStock[] =
    typeof row.locations === "string"
      ? JSON.parse(row.locations)
      : [{ location: DEFAULT_LOCATION, on_hand, reserved, committed, available }];
  return { ...totals, locations };
}

export async function listStock(db: ReadModel, filter: StockFilter): Promise<StockPage> {
  const { sql, binds } = stockListSql(filter);
  const [{ results }, bundles] = await Promise.all([db.prepare(sql).bind(...binds).all<StockRow>(), listedBundles(db, filter)]);
  const all: Array<ListedStock | ListedBundle> = [...results.map(toListedStock), ...bundles].sort((a, b) =>
    a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0,
  );
  const items = all.slice(0, filter.limit);
  return {
    items,
    next_after_sku: all.length > filter.limit ? items[items.length - 1]!.sku : null,
  };
}

/** One bundle row per component of each bundle `?sku=` names, with the component's available. */
export function bundleListSql(skus: readonly string[]): Statement {
  return {
    sql: `SELECT b.bundle_sku, b.sku, b.quantity, COALESCE(s.available, 0) AS available
          FROM bundle_components b LEFT JOIN stock s ON s.sku = b.sku
          WHERE b.bundle_sku IN (SELECT value FROM json_each(?)) ORDER BY b.bundle_sku, b.sku`,
    binds: [JSON.stringify(skus)],
  };
}

/**
 * (v1.2) The bundles among the SKUs `?sku=` names, past `after_sku`. A bundle has no location, threshold or
 * policy of its own: a list by location, or of low or short SKUs, has none.
 */
async function listedBundles(db: ReadModel, filter: StockFilter): Promise<ListedBundle[]> {
  if (filter.sku === undefined || filter.location !== undefined || filter.low === true || filter.short === true) return [];
  const skus = filter.sku.filter((s) => s > (filter.after_sku ?? "") && (filter.prefix === undefined || s.startsWith(filter.prefix)));
  if (skus.length === 0) return [];
  const { sql, binds } = bundleListSql(skus);
  const { results } = await db
    .prepare(sql)
    .bind(...binds)
    .all<{ bundle_sku: string; sku: string; quantity: number; available: number }>();
  const bySku = new Map<string, Array<Component & { available: number }>>();
  for (const r of results) bySku.set(r.bundle_sku, [...(bySku.get(r.bundle_sku) ?? []), { sku: r.sku, quantity: r.quantity, available: r.available }]);
  return [...bySku].flatMap(([sku, parts]) => {
    const available = bundleAvailable(parts, (c) => parts.find((p) => p.sku === c)!.available);
    if (filter.in_stock === true && available <= 0) return [];
    if (filter.in_stock === false && available > 0) return [];
    return [{ sku, bundle: true as const, components: parts.map(({ sku, quantity }) => ({ sku, quantity })), available }];
  });
}
