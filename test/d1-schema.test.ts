// The D1 read model's own guarantees: constraints that refuse impossible rows, and an index behind
// every statement the read side issues, for every filter combination the API allows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RESET_STATEMENTS } from "../src/read-model/maintenance";
import { orderListSql, reservationListSql } from "../src/read-model/listings";
import { moveListSql, prefixSizeSql, readsPrefixBySku, readsWindowByTime, windowSizeSql, type MoveFilter } from "../src/read-model/feed";
import { bundleListSql, stockListSql, type Statement } from "../src/read-model/queries";
import { dailyReportSql } from "../src/read-model/reports";
import { FORGET_HOURS_SQL, RETENTION_SQL } from "../src/retention";

const MOVE_FILTERS = {
  sku: "SKU-1",
  type: "reserved",
  reservation_id: "cart:1",
  order_id: "order-1",
  ref: "PO-1",
  actor: "seller-1",
  since: Date.parse("2026-01-01T00:00:00.000Z"),
  until: Date.parse("2026-02-01T00:00:00.000Z"),
} as const;

/** Every subset of the /v1/moves filters, each with and without a cursor. */
function everyMoveQuery(): Array<{ filter: MoveFilter; used: string[] }> {
  const names = Object.keys(MOVE_FILTERS) as Array<keyof typeof MOVE_FILTERS>;
  const out: Array<{ filter: MoveFilter; used: string[] }> = [];
  for (let mask = 0; mask < 1 << names.length; mask++) {
    const used = names.filter((_, i) => mask & (1 << i));
    for (const after of [undefined, "12345"]) {
      const filter: MoveFilter = { limit: 100, after };
      for (const name of used) Object.assign(filter, { [name]: MOVE_FILTERS[name] });
      out.push({ filter, used });
    }
  }
  return out;
}

async function plan({ sql, binds }: Statement): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all<{ detail: string }>();
  return results.map((r) => r.detail);
}

const FULL_SCAN = /\bSCAN (moves|stock|daily_rollups|move_hours|bundle_components)\b/;
const SORT = /USE TEMP B-TREE/;

/**
 * The index a /v1/moves page must walk: the one led by the most selective equality filter given (an order
 * or reservation has a handful of moves, a SKU its ledger, a ref its receipts, a type an eighth of all),
 * the SKU-and-type composite when both are given, and with no equality filter the cursor itself.
 */
function expectedAccess(used: string[]): RegExp {
  const has = (name: string) => used.includes(name);
  const index = has("order_id")
    ? "moves_by_order \\(order_id=?"
    : has("reservation_id")
      ? "moves_by_reservation \\(reservation_id=?"
      : has("sku")
        ? has("type")
          ? "moves_by_sku_type \\(sku=\\? AND type=?"
          : "moves_by_sku \\(sku=?"
        : has("ref")
          ? "moves_by_ref \\(ref=?"
          : has("actor")
            ? "moves_by_actor \\(actor=?"
          : has("type")
            ? "moves_by_type \\(type=?"
            : null;
  return index ? new RegExp(`^SEARCH moves USING (COVERING )?INDEX ${index}`) : /^SEARCH moves USING INTEGER PRIMARY KEY \(rowid>\?/;
}

describe("index proof", () => {
  it("every /v1/moves filter combination walks the index of its most selective filter, in cursor order, never sorting", async () => {
    const statements = everyMoveQuery();
    expect(statements).toHaveLength(512);
    for (const { filter, used } of statements) {
      const detail = await plan(moveListSql(filter));
      const where = `${JSON.stringify(used)} after=${filter.after}: ${detail.join(" | ")}`;
      expect(detail.some((d) => FULL_SCAN.test(d)), where).toBe(false);
      // No window is read whole and sorted: the index gives the page in cursor order.
      expect(detail.some((d) => SORT.test(d)), where).toBe(false);
      expect(detail[0], where).toMatch(expectedAccess(used));
      // The walk is bounded by the cursor (after, and the time window through the zone map).
      expect(detail[0], where).toMatch(/cursor>\?|rowid>\?/);
      if (used.includes("until")) expect(detail[0], where).toMatch(/cursor<\?|rowid<\?/);
    }
  });

  it("(v1.2) a location filter walks the location indexes, merged in cursor order, or filters a more selective walk", async () => {
    let led = 0;
    for (const { filter, used } of everyMoveQuery()) {
      const detail = await plan(moveListSql({ ...filter, location: "wh-east" }));
      const where = `location+${JSON.stringify(used)} after=${filter.after}: ${detail.join(" | ")}`;
      expect(detail.some((d) => FULL_SCAN.test(d)), where).toBe(false);
      expect(detail.some((d) => SORT.test(d)), where).toBe(false);
      const selective = ["order_id", "reservation_id", "sku", "ref", "actor", "type"].some((f) => used.includes(f));
      if (selective) {
        expect(detail[0], where).toMatch(expectedAccess(used));
      } else {
        led += 1;
        expect(detail.join(" | "), where).toMatch(/MERGE \(UNION ALL\)/);
        expect(detail.some((d) => /SEARCH moves USING INDEX moves_by_location \(location=\? AND cursor>\?/.test(d)), where).toBe(true);
        expect(detail.some((d) => /SEARCH moves USING INDEX moves_by_to_location \(to_location=\? AND cursor>\?/.test(d)), where).toBe(true);
      }
    }
    // The location leads whenever nothing but a time window comes with it, with and without a cursor.
    expect(led).toBe(2 * 4);
  });

  it("(v1.2) a seller's prefix filters the walk the other filters choose, and never makes the page sort", async () => {
    for (const { filter, used } of everyMoveQuery()) {
      for (const location of [undefined, "wh-east"]) {
        const detail = await plan(moveListSql({ ...filter, location, prefix: "S1-" }));
        const where = `prefix+${location}+${JSON.stringify(used)} after=${filter.after}: ${detail.join(" | ")}`;
        expect(detail.some((d) => FULL_SCAN.test(d)), where).toBe(false);
        expect(detail.some((d) => SORT.test(d)), where).toBe(false);
        if (location === undefined) expect(detail[0], where).toMatch(expectedAccess(used));
      }
    }
    for (const after of [undefined, { day: "2026-01-05", sku: "S1-M" }]) {
      const detail = await plan(dailyReportSql({ from: "2026-01-01", to: "2026-01-31", prefix: "S1-", after, limit: 1000 }));
      expect(detail.some((d) => FULL_SCAN.test(d) || SORT.test(d)), detail.join(" | ")).toBe(false);
    }
  });

  it("(v1.2) a small seller's SKUs are counted by a range of stock, and their moves and days read by SKU and sorted", async () => {
    const size = await plan(prefixSizeSql("S1-"));
    expect(size.join(" | ")).toMatch(/SEARCH stock USING (COVERING )?(PRIMARY KEY|INDEX sqlite_autoindex_stock_1) \(sku>\? AND sku<\?\)/);
    let small = 0;
    for (const { filter, used } of everyMoveQuery()) {
      for (const location of [undefined, "wh-east"]) {
        const seller = { ...filter, location, prefix: "S1-" };
        if (!readsPrefixBySku(seller)) continue;
        small += 1;
        const detail = await plan(moveListSql(seller, true, true));
        const where = `small seller+${location}+${JSON.stringify(used)}: ${detail.join(" | ")}`;
        expect(detail[0], where).toMatch(/^SEARCH moves USING INDEX moves_by_sku \(sku>\? AND sku<\?\)/);
        expect(detail.some((d) => FULL_SCAN.test(d)), where).toBe(false);
      }
    }
    // Every combination with none of order, reservation, SKU or ref, with and without a cursor and a location.
    expect(small).toBe(2 * 2 * 2 ** 4);
    for (const after of [undefined, { day: "2026-01-05", sku: "S1-M" }]) {
      const detail = await plan(dailyReportSql({ from: "2026-01-01", to: "2026-01-31", prefix: "S1-", after, limit: 1000 }, true));
      expect(detail[0], detail.join(" | ")).toMatch(/^SEARCH daily_rollups USING INDEX daily_rollups_by_sku \(sku>\? AND sku<\?\)/);
    }
  });

  it("a time window known to be small is read through the time index and only that window is sorted", async () => {
    let narrow = 0;
    for (const { filter, used } of everyMoveQuery()) {
      if (!readsWindowByTime(filter)) continue;
      narrow += 1;
      const detail = await plan(moveListSql(filter, true));
      const where = `${JSON.stringify(used)} after=${filter.after}: ${detail.join(" | ")}`;
      expect(detail[0], where).toMatch(/^SEARCH moves USING (COVERING )?INDEX moves_by_time \(at[<>]\?/);
      if (used.includes("since") && used.includes("until")) expect(detail[0], where).toMatch(/at>\? AND at<\?/);
    }
    // Every combination of a window with only type or actor (or nothing) besides it, with and without a cursor.
    expect(narrow).toBe(2 * 2 * 2 * 3);
  });

  it("the stock listing, the daily report, retention and reset all search an index", async () => {
    const statements: Statement[] = [
      ...[undefined, true, false].flatMap((in_stock) =>
        ["", "M"].flatMap((after_sku) => [
          stockListSql({ after_sku, limit: 100, in_stock }),
          stockListSql({ after_sku, limit: 100, in_stock, low: true }),
          stockListSql({ after_sku, limit: 100, in_stock, short: true }),
        ]),
      ),
      dailyReportSql({ from: "2026-01-01", to: "2026-01-31", limit: 1000 }),
      dailyReportSql({ sku: "SKU-1", from: "2026-01-01", to: "2026-01-31", limit: 1000 }),
      dailyReportSql({ from: "2026-01-01", to: "2026-01-31", after: { day: "2026-01-05", sku: "M" }, limit: 1000 }),
      dailyReportSql({ sku: "SKU-1", from: "2026-01-01", to: "2026-01-31", after: { day: "2026-01-05", sku: "SKU-1" }, limit: 1000 }),
      { sql: RETENTION_SQL, binds: ["2026-01-01T00:00:00.000Z", 1000] },
      { sql: FORGET_HOURS_SQL, binds: ["2026-01-01T00:00:00.000Z"] },
      windowSizeSql({ limit: 100, since: Date.parse("2026-01-01T00:00:00Z"), until: Date.parse("2026-01-02T00:00:00Z") }),
      bundleListSql(["KIT-1", "KIT-2"]),
    ];
    for (const statement of statements) {
      const detail = await plan(statement);
      expect(detail.some((d) => FULL_SCAN.test(d)), `${statement.sql}: ${detail.join(" | ")}`).toBe(false);
    }
    // Prefixes and lists of SKUs are ranges and lookups of the sku key, with every other filter, never sorted.
    for (const filter of [
      { prefix: "MUG" },
      { prefix: "MUG", after_sku: "MUG-5" },
      { prefix: "MUG", low: true },
      { sku: ["B", "A", "C"] },
      { sku: ["B", "A"], in_stock: true, after_sku: "A" },
      { sku: ["B", "A"], low: true },
      { prefix: "MUG", short: true },
      { sku: ["B", "A"], short: true, low: true },
    ]) {
      const detail = await plan(stockListSql({ limit: 100, ...filter }));
      const where = `${JSON.stringify(filter)}: ${detail.join(" | ")}`;
      expect(detail[0], where).toMatch(/^SEARCH stock USING (COVERING )?(INDEX stock_low|INDEX stock_short|PRIMARY KEY|INDEX sqlite_autoindex_stock_1) \(sku/);
      expect(detail.some((d) => SORT.test(d)), where).toBe(false);
    }
    // (v1.2) One location's rows are a range of (location, sku), with every other filter, never sorted.
    for (const filter of [
      {},
      { in_stock: true },
      { in_stock: false, after_sku: "M" },
      { prefix: "MUG" },
      { sku: ["B", "A"], in_stock: true },
    ]) {
      const detail = await plan(stockListSql({ limit: 100, location: "wh-east", ...filter }));
      const where = `location ${JSON.stringify(filter)}: ${detail.join(" | ")}`;
      expect(detail[0], where).toMatch(/^SEARCH stock_locations USING (COVERING )?(INDEX stock_locations_\w+|PRIMARY KEY) \(location=\? AND sku/);
      expect(detail.some((d) => SORT.test(d)), where).toBe(false);
    }
    // Reservation and order listings walk an index that ends in (updated_at, id), newest first, never sorting.
    const after = { updated_at: "2026-01-01T00:00:00.000Z", id: "x" };
    const listings: Statement[] = [];
    for (const holder of [undefined, "h"])
      for (const status of [undefined, "active", "expired"] as const)
        for (const sku of [undefined, "MUG"])
          for (const cursor of [undefined, after]) {
            listings.push(reservationListSql({ holder, status, sku, after: cursor, limit: 100 }, "2026-01-01T00:00:00.000Z"));
          }
    for (const reservation_id of [undefined, "cart"])
      for (const open of [undefined, true, false])
        for (const sku of [undefined, "MUG"])
          for (const cursor of [undefined, after]) listings.push(orderListSql({ reservation_id, open, sku, after: cursor, limit: 100 }));
    for (const statement of listings) {
      const detail = await plan(statement);
      const where = `${statement.sql}: ${detail.join(" | ")}`;
      expect(detail.some((d) => FULL_SCAN.test(d)), where).toBe(false);
      expect(detail.some((d) => SORT.test(d)), where).toBe(false);
      // Every table is reached through an index: a search, or an ordered walk of one for the newest-first page.
      for (const step of detail) expect(step, where).toMatch(/^(SEARCH \w+ USING|SCAN \w+ USING (COVERING )?INDEX)/);
    }
    // The low listing walks the partial index of low SKUs only, in sku order.
    const low = await plan(stockListSql({ after_sku: "M", limit: 100, low: true }));
    expect(low[0]).toMatch(/^SEARCH stock USING (COVERING )?INDEX stock_low \(sku>\?\)/);
    // (v1.2) So does the short listing, through the partial index of short SKUs.
    const short = await plan(stockListSql({ after_sku: "M", limit: 100, short: true }));
    expect(short[0]).toMatch(/^SEARCH stock USING (COVERING )?INDEX stock_short \(sku>\?\)/);
    // Reset deletes everything by design, a bounded batch at a time: each batch reads only its LIMIT.
    for (const sql of RESET_STATEMENTS) expect(sql).toMatch(/LIMIT \d+\)$/);
  });
});

describe("constraints refuse impossible rows", () => {
  const stockRow = (sku: string, over: Record<string, unknown> = {}) => {
    const row = { sku, on_hand: 5, reserved: 1, committed: 1, available: 3, version: 3, updated_at: "2026-01-01T00:00:00.000Z", ...over };
    return env.DB.prepare(
      "INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).bind(row.sku, row.on_hand, row.reserved, row.committed, row.available, row.version, row.updated_at);
  };
  const moveRow = (over: Record<string, unknown> = {}) => {
    const row = {
      sku: "CHK",
      seq: 1,
      type: "received",
      quantity: 5,
      on_hand: 5,
      reserved: 0,
      committed: 0,
      available: 5,
      reservation_id: null,
      order_id: null,
      at: "2026-01-01T00:00:00.000Z",
      at_day: "2026-01-01",
      ...over,
    };
    return env.DB.prepare(
      `INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available,
         reservation_id, order_id, at, at_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(row.sku, row.seq, row.type, row.quantity, row.on_hand, row.reserved, row.committed, row.available,
      row.reservation_id, row.order_id, row.at, row.at_day);
  };

  it("accepts a consistent row, so the refusals below are about the one bad field", async () => {
    await stockRow("CHK").run();
    await moveRow().run();
    await expect(moveRow({ seq: 1 }).run()).rejects.toThrow(/UNIQUE/);
  });

  it.each([
    ["negative on_hand", { on_hand: -1, reserved: 0, committed: 0, available: -1 }],
    ["available that does not add up", { available: 4 }],
    ["negative reserved", { reserved: -1, available: 5 }],
    ["version 0", { version: 0 }],
    ["a timestamp that is not ISO with milliseconds", { updated_at: "2026-01-01" }],
  ])("stock: %s", async (_name, over) => {
    await expect(stockRow(`CHK-${Math.random()}`, over).run()).rejects.toThrow(/CHECK/);
  });

  it.each([
    ["unknown type", { type: "stolen", seq: 2 }],
    ["zero quantity", { quantity: 0, seq: 3 }],
    ["an adjustment of 0", { type: "adjusted", quantity: 0, seq: 4 }],
    ["a reservation move without reservation_id", { type: "reserved", seq: 5, reserved: 1, available: 4 }],
    ["a receipt carrying an order id", { seq: 6, order_id: "o" }],
    // (v1.2) A move's available may be below zero (a count may find a SKU short), but always adds up.
    ["available that does not add up", { seq: 7, available: -1, on_hand: 0, reserved: 0 }],
    ["a transfer without its destination", { seq: 9, type: "transferred" }],
    ["at_day that is not the day of at", { seq: 8, at_day: "2026-01-02" }],
    ["seq 0", { seq: 0 }],
  ])("moves: %s", async (_name, over) => {
    await expect(moveRow(over).run()).rejects.toThrow(/CHECK/);
  });

  it("moves and rollups need their SKU in stock (foreign keys)", async () => {
    await expect(moveRow({ sku: "NO-SUCH-SKU" }).run()).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      env.DB.prepare("INSERT INTO daily_rollups (day, sku, on_hand_end, last_seq) VALUES ('2026-01-01', 'NO-SUCH-SKU', 0, 1)").run(),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it("daily rollups refuse a malformed day and negative sums", async () => {
    await stockRow("CHK-R").run();
    const insert = (day: string, received: number) =>
      env.DB.prepare("INSERT INTO daily_rollups (day, sku, received, on_hand_end, last_seq) VALUES (?, 'CHK-R', ?, 0, 1)")
        .bind(day, received)
        .run();
    await expect(insert("2026-1-1", 0)).rejects.toThrow(/CHECK/);
    await expect(insert("2026-01-01", -1)).rejects.toThrow(/CHECK/);
  });
});
