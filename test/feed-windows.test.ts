// GET /v1/moves with a time window turns the window into a cursor range through the `move_blocks` zone map.
// Whatever the layout (cursor order following time, as in live traffic, or following SKU, as after a
// rebuild), paging through must return exactly the moves a plain filtered scan returns, in cursor order.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Move } from "../durable-objects/domain/contract";
import { projectionStatements } from "../durable-objects/product-stock/projection-sql";
import { listMoves, type MoveFilter } from "../src/read-model/feed";

const SKUS = 24;
const MOVES_PER_SKU = 200; // 2 layouts × 24 × 200 = 9,600 moves: three blocks of 4,096 cursors
const START = Date.parse("2026-06-01T00:00:00.000Z");
const SPAN_MS = 30 * 86_400_000;
const TYPES = ["received", "adjusted", "received", "adjusted"] as const;

function move(sku: string, seq: number, atMs: number): Move {
  const type = TYPES[seq % TYPES.length]!;
  return {
    sku,
    seq,
    type,
    quantity: 1,
    on_hand: seq,
    reserved: 0,
    committed: 0,
    available: seq,
    reservation_id: null,
    order_id: null,
    reason: type === "adjusted" ? "count" : null,
    ref: `PO-${seq % 7}`,
    at: new Date(atMs).toISOString(),
    location: "default",
    to_location: null,
    incoming_id: null,
    incoming: 0,
    actor: null,
  };
}

const atOf = (i: number, n: number) => START + Math.floor((i * SPAN_MS) / n);

/** Sends moves as the projection does: per SKU, in seq order, in batches. */
async function project(moves: Move[]) {
  const bySku = new Map<string, Move[]>();
  for (const m of moves) bySku.set(m.sku, [...(bySku.get(m.sku) ?? []), m]);
  for (const ledger of bySku.values()) {
    for (let i = 0; i < ledger.length; i += 50) await env.DB.batch(projectionStatements(env.DB, ledger.slice(i, i + 50)));
  }
}

beforeAll(async () => {
  // Live layout: every SKU moves over the whole span, interleaved, so cursor order follows time.
  const live: Move[] = [];
  for (let step = 0; step < MOVES_PER_SKU; step++) {
    for (let s = 0; s < SKUS; s++) live.push(move(`LIVE-${s}`, step + 1, atOf(step * SKUS + s, SKUS * MOVES_PER_SKU)));
  }
  // Rebuilt layout: each SKU's whole ledger at once, so cursor order follows SKU and every block spans all times.
  const rebuilt: Move[] = [];
  for (let s = 0; s < SKUS; s++) {
    for (let step = 0; step < MOVES_PER_SKU; step++) rebuilt.push(move(`REB-${s}`, step + 1, atOf(step, MOVES_PER_SKU)));
  }
  // Live traffic projects a little of every SKU at a time; a rebuild projects one SKU's ledger after another.
  for (let step = 0; step < MOVES_PER_SKU; step += 25) await project(live.filter((m) => m.seq > step && m.seq <= step + 25));
  await project(rebuilt);
}, 120_000);

/**
 * Every page of the feed for `filter`, followed by `next_after`. `narrowWindowMoves` decides which path a
 * windowed page takes: 0 always walks the cursor (through the zone map), Infinity always reads the window
 * through the time index.
 */
async function follow(filter: Omit<MoveFilter, "limit" | "after">, limit: number, narrowWindowMoves = 0): Promise<number[]> {
  const cursors: number[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listMoves(env.DB, { ...filter, limit, after }, narrowWindowMoves);
    cursors.push(...page.moves.map((m) => Number(m.cursor)));
    if (page.moves.length < limit) return cursors;
    after = page.next_after ?? undefined;
  }
}

/** The same filter as a plain scan, with no index or zone map involved. */
async function scan(filter: Omit<MoveFilter, "limit" | "after">): Promise<number[]> {
  const where = ["1"];
  const binds: unknown[] = [];
  for (const column of ["sku", "type", "ref"] as const) {
    if (filter[column] === undefined) continue;
    where.push(`${column} = ?`);
    binds.push(filter[column]);
  }
  if (filter.since !== undefined) (where.push("at >= ?"), binds.push(new Date(filter.since).toISOString()));
  if (filter.until !== undefined) (where.push("at < ?"), binds.push(new Date(filter.until).toISOString()));
  const { results } = await env.DB.prepare(`SELECT cursor FROM moves NOT INDEXED WHERE ${where.join(" AND ")} ORDER BY cursor`)
    .bind(...binds)
    .all<{ cursor: number }>();
  return results.map((r) => r.cursor);
}

describe("time windows, through the zone map or the time index", () => {
  it("spans several blocks with both layouts", async () => {
    const blocks = await env.DB.prepare("SELECT count(*) AS n FROM move_blocks").first<{ n: number }>();
    expect(blocks!.n).toBeGreaterThanOrEqual(3);
  });

  it("returns exactly what a plain scan returns, for windows, filters and page sizes of every kind", async () => {
    let random = 7;
    const next = () => ((random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const instant = () => START - 86_400_000 + Math.floor(next() * (SPAN_MS + 2 * 86_400_000));
    let nonEmpty = 0;
    for (let round = 0; round < 40; round++) {
      const a = instant();
      const b = instant();
      const filter: Omit<MoveFilter, "limit" | "after"> = {};
      const shape = round % 4;
      if (shape !== 1) filter.since = Math.min(a, b);
      if (shape !== 2) filter.until = Math.max(a, b);
      if (round % 3 === 0) filter.type = "adjusted";
      if (round % 5 === 0) filter.sku = round % 2 ? `LIVE-${round % SKUS}` : `REB-${round % SKUS}`;
      if (round % 7 === 0) filter.ref = "PO-3";
      const expected = await scan(filter);
      if (expected.length > 0) nonEmpty += 1;
      const limit = [61, 250, 1000][round % 3]!;
      expect(await follow(filter, limit), `cursor walk ${JSON.stringify(filter)}`).toEqual(expected);
      expect(await follow(filter, limit, Infinity), `time index ${JSON.stringify(filter)}`).toEqual(expected);
    }
    expect(nonEmpty).toBeGreaterThan(30);
  });

  it("finds nothing, quickly and correctly, for a window before or after every move", async () => {
    expect(await follow({ until: START - 1 }, 100)).toEqual([]);
    expect(await follow({ since: START + SPAN_MS + 1 }, 100)).toEqual([]);
    expect(await follow({ since: START + SPAN_MS - 3_600_000, type: "received" }, 100)).toEqual(
      await scan({ since: START + SPAN_MS - 3_600_000, type: "received" }),
    );
  });
});
