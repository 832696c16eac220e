/**
 * GET /v1/reports/daily: sums per (UTC day, SKU) from the rollup table the projection maintains. Rows are
 * read in keyset pages; over HTTP they are streamed as they come, so a report over every SKU never has to
 * fit in a Worker's memory.
 */
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

/** Where the previous page ended. */
export interface DailyKey {
  day: string;
  sku: string;
}

export const REPORT_PAGE_ROWS = 2_000;

const COLUMNS =
  "day, sku, received, adjusted, reserved, released, committed, cancelled, fulfilled, returned, on_hand_end";

/** One page of a report, after `after` when given; exported for the index proof. */
export function dailyReportSql(filter: DailyFilter, after: DailyKey | null = null, limit = REPORT_PAGE_ROWS): Statement {
  if (filter.sku !== undefined) {
    return {
      sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE sku = ? AND day BETWEEN ? AND ?${after ? " AND day > ?" : ""}
            ORDER BY day LIMIT ?`,
      binds: [filter.sku, filter.from, filter.to, ...(after ? [after.day] : []), limit],
    };
  }
  return {
    sql: `SELECT ${COLUMNS} FROM daily_rollups WHERE day BETWEEN ? AND ?${after ? " AND (day, sku) > (?, ?)" : ""}
          ORDER BY day, sku LIMIT ?`,
    binds: [filter.from, filter.to, ...(after ? [after.day, after.sku] : []), limit],
  };
}

/** The report's rows, a page at a time, by day then sku. */
export async function* dailyReportPages(
  db: D1Database,
  filter: DailyFilter,
  pageRows = REPORT_PAGE_ROWS,
): AsyncGenerator<DailyRow[]> {
  let after: DailyKey | null = null;
  for (;;) {
    const { sql, binds } = dailyReportSql(filter, after, pageRows);
    const { results } = await db.prepare(sql).bind(...binds).all<DailyRow>();
    if (results.length > 0) yield results;
    if (results.length < pageRows) return;
    const last = results[results.length - 1]!;
    after = { day: last.day, sku: last.sku };
  }
}

/** The whole report as one object (RPC, and tests). */
export async function dailyReport(db: D1Database, filter: DailyFilter, pageRows = REPORT_PAGE_ROWS) {
  const days: DailyRow[] = [];
  for await (const page of dailyReportPages(db, filter, pageRows)) days.push(...page);
  return { days };
}

/** The same report as a JSON byte stream: `{"days":[…]}`, written page by page. */
export function dailyReportStream(db: D1Database, filter: DailyFilter, pageRows = REPORT_PAGE_ROWS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = dailyReportPages(db, filter, pageRows);
  let first = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"days":['));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) {
        controller.enqueue(encoder.encode("]}"));
        controller.close();
        return;
      }
      const rows = next.value.map((row) => JSON.stringify(row)).join(",");
      controller.enqueue(encoder.encode(first ? rows : `,${rows}`));
      first = false;
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
