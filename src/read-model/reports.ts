/** GET /v1/reports/daily: sums per (UTC day, SKU) from the rollup table the projection maintains. */
import type { Statement } from "./queries";
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
  on_hand_end: number;
}

export interface DailyFilter {
  sku?: string | undefined;
  from: string;
  to: string;
}

const COLUMNS =
  "day, sku, received, adjusted, reserved, released, committed, cancelled, fulfilled, returned, on_hand_end";

/** The statement for a filter; exported for the index proof. */
export function dailyReportSql(filter: DailyFilter): Statement {
  if (filter.sku !== undefined) {
    return {
      sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE sku = ? AND day BETWEEN ? AND ? ORDER BY day`,
      binds: [filter.sku, filter.from, filter.to],
    };
  }
  return {
    sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE day BETWEEN ? AND ? ORDER BY day, sku`,
    binds: [filter.from, filter.to],
  };
}

export async function dailyReport(db: D1Database, filter: DailyFilter): Promise<{ days: DailyRow[] }> {
  const { sql, binds } = dailyReportSql(filter);
  const { results } = await db.prepare(sql).bind(...binds).all<DailyRow>();
  return { days: results };
}
