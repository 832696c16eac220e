/**
 * GET /v1/reports/daily: sums per (UTC day, SKU) from the rollup table the projection maintains, one page
 * at a time (API.md v1.1: `limit`, `after`, `next_after`), so no answer is ever larger than a page.
 */
import { isSmallSeller } from "./feed";
import { PAST_SKU_CHARACTERS, type Statement } from "./queries";
import type { ReadModel } from "./session";

export interface DailyRow {
  day: string;
  sku: string;
  received: number;
  adjusted: number;
  reserved: number;
  released: number;
  committed: number;
  cancelled: number;
  fulfilled: number;
  returned: number;
  transferred: number;
  /** (v1.2) Units declared incoming, and incoming units cancelled. */
  expected: number;
  expected_cancelled: number;
  on_hand_end: number;
}

/** Where a page ended: the last row's day and SKU. */
export interface DailyKey {
  day: string;
  sku: string;
}

export interface DailyFilter {
  sku?: string | undefined;
  /** (v1.2) Only SKUs starting with this (a seller's token). */
  prefix?: string | undefined;
  from: string;
  to: string;
  after?: DailyKey | undefined;
  limit: number;
}

export interface DailyReportPage {
  days: DailyRow[];
  /** Opaque: pass as `after` for the next page; null after the last. */
  next_after: string | null;
}

export const DEFAULT_REPORT_LIMIT = 1_000;
export const MAX_REPORT_LIMIT = 10_000;

const COLUMNS =
  "day, sku, received, adjusted, reserved, released, committed, cancelled, fulfilled, returned, transferred, expected, expected_cancelled, on_hand_end";

/** The cursor of a report page: `day/sku`, base64url-encoded so that clients treat it as opaque. */
function encodeDailyKey(key: DailyKey): string {
  return btoa(`${key.day}/${key.sku}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The key inside a cursor this API returned, or null for anything else. */
export function decodeDailyKey(cursor: string): DailyKey | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
  const match = /^(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9][A-Za-z0-9._:-]{0,63})$/.exec(text);
  return match ? { day: match[1]!, sku: match[2]! } : null;
}

/**
 * One page (plus one row, to tell whether another follows); exported for the index proof. `smallSeller`: the
 * prefix's SKUs have few moves, so their rows are read through (sku, day) and sorted.
 */
export function dailyReportSql(filter: DailyFilter, smallSeller = false): Statement {
  const { after } = filter;
  if (filter.sku !== undefined) {
    return {
      sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE sku = ? AND day BETWEEN ? AND ?${after ? " AND day > ?" : ""}
            ORDER BY day LIMIT ?`,
      binds: [filter.sku, filter.from, filter.to, ...(after ? [after.day] : []), filter.limit + 1],
    };
  }
  const prefix = filter.prefix === undefined ? [] : [filter.prefix, filter.prefix + PAST_SKU_CHARACTERS];
  if (smallSeller && filter.prefix !== undefined) {
    return {
      sql: `SELECT ${COLUMNS} FROM daily_rollups INDEXED BY daily_rollups_by_sku
            WHERE sku >= ? AND sku < ? AND day BETWEEN ? AND ?${after ? " AND (day, sku) > (?, ?)" : ""}
            ORDER BY day, sku LIMIT ?`,
      binds: [...prefix, filter.from, filter.to, ...(after ? [after.day, after.sku] : []), filter.limit + 1],
    };
  }
  // A large seller's rows: a filter on the (day, sku) walk, where they are dense.
  return {
    sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE day BETWEEN ? AND ?${after ? " AND (day, sku) > (?, ?)" : ""}
          ${prefix.length > 0 ? "AND sku >= ? AND sku < ?" : ""} ORDER BY day, sku LIMIT ?`,
    binds: [filter.from, filter.to, ...(after ? [after.day, after.sku] : []), ...prefix, filter.limit + 1],
  };
}

export async function dailyReport(db: ReadModel, filter: DailyFilter): Promise<DailyReportPage> {
  const smallSeller = filter.prefix !== undefined && filter.sku === undefined && (await isSmallSeller(db, filter.prefix));
  const { sql, binds } = dailyReportSql(filter, smallSeller);
  const { results } = await db.prepare(sql).bind(...binds).all<DailyRow>();
  const days = results.slice(0, filter.limit);
  const last = days[days.length - 1];
  return { days, next_after: results.length > filter.limit && last ? encodeDailyKey(last) : null };
}
