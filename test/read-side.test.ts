// The D1 read model at work: every /v1/moves filter, the change feed, daily rollups, retention, rebuild.
import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Move } from "../durable-objects/domain/contract";
import worker from "../src/worker/index";
import { projectionStatements } from "../durable-objects/product-stock/projection-sql";

import { ADMIN_TOKEN, api, capturingConsole, d1Moves, ledger, productStub, putReservation, receive, uniqueSku } from "./helpers";

async function projected(...skus: string[]) {
  await Promise.all(skus.map((sku) => productStub(sku).flush()));
}

/** Follows the change feed from `after` to its current end. */
async function follow(after: string | null, query = ""): Promise<{ moves: any[]; next: string | null }> {
  const moves: any[] = [];
  let next = after;
  for (;;) {
    const res = await api("GET", `/v1/moves?limit=7${next ? `&after=${next}` : ""}${query}`);
    expect(res.status).toBe(200);
    moves.push(...res.body.moves);
    if (res.body.moves.length === 0) return { moves, next };
    next = res.body.next_after;
  }
}

/** A move as the projection would send it, for days the DO clock cannot reach. */
function fabricated(sku: string, seq: number, at: string, type: Move["type"], quantity: number, on_hand: number): Move {
  return {
    sku,
    seq,
    type,
    quantity,
    on_hand,
    reserved: 0,
    committed: 0,
    available: on_hand,
    reservation_id: null,
    order_id: null,
    reason: type === "adjusted" ? "count" : null,
    ref: null,
    at,
    location: "default",
    to_location: null,
    incoming_id: null,
    incoming: 0,
    actor: null,
  };
}

describe("GET /v1/moves filters", () => {
  it("filters by type, reservation_id, order_id, ref, since and until, alone and together", async () => {
    const sku = uniqueSku("F");
    const started = new Date(Date.now() - 1).toISOString();
    await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 5, ref: `po-${sku}` } });
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku, quantity: 2 }]);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    await projected(sku);
    const ended = new Date(Date.now() + 1000).toISOString();

    const seqs = async (query: string) =>
      (await api("GET", `/v1/moves?sku=${sku}&${query}`)).body.moves.map((m: any) => m.seq);
    expect(await seqs("type=received")).toEqual([1]);
    expect(await seqs(`reservation_id=${id}`)).toEqual([2, 3]);
    expect(await seqs(`order_id=${orderId}`)).toEqual([3]);
    expect(await seqs(`ref=po-${sku}`)).toEqual([1]);
    expect(await seqs(`since=${encodeURIComponent(started)}&until=${encodeURIComponent(ended)}`)).toEqual([1, 2, 3]);
    expect(await seqs(`until=${encodeURIComponent(started)}`)).toEqual([]);
    expect(await seqs(`reservation_id=${id}&type=committed`)).toEqual([3]);
    // Without sku, a filter alone still finds them.
    const byOrder = await api("GET", `/v1/moves?order_id=${orderId}`);
    expect(byOrder.body.moves.map((m: any) => [m.sku, m.type])).toEqual([[sku, "committed"]]);
  });
});

describe("the change feed", () => {
  it("delivers every move exactly once, each SKU in seq order, while writes interleave across SKUs", async () => {
    const skus = Array.from({ length: 4 }, () => uniqueSku("FEED"));
    const start = await follow(null);
    let cursor = start.next;
    const seen: any[] = [];
    const writers = skus.map(async (sku) => {
      for (let i = 0; i < 12; i++) {
        await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1 + i } });
      }
    });
    const reader = (async () => {
      for (let round = 0; round < 15; round++) {
        const page = await follow(cursor);
        seen.push(...page.moves);
        cursor = page.next;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all([...writers, reader]);
    await projected(...skus);
    seen.push(...(await follow(cursor)).moves);

    const mine = seen.filter((m) => skus.includes(m.sku));
    expect(new Set(mine.map((m) => m.cursor)).size).toBe(mine.length);
    for (const sku of skus) {
      expect(mine.filter((m) => m.sku === sku).map((m) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }
    const cursors = seen.map((m) => Number(m.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  });
});

describe("Server-Timing", () => {
  it("says how long each operation took inside the Worker, on successes and refusals", async () => {
    const ok = await api("GET", "/v1/moves?limit=1");
    expect(ok.headers.get("server-timing")).toMatch(/^op;dur=\d+(\.\d)?$/);
    const refused = await api("GET", `/v1/products/${uniqueSku("NONE")}`);
    expect(refused.status).toBe(404);
    expect(refused.headers.get("server-timing")).toMatch(/^op;dur=/);
  });
});

describe("GET /v1/reports/daily", () => {
  it("equals a recount from the raw moves, one row per (day, sku), by day then sku", async () => {
    const a = uniqueSku("DAY-A");
    const b = uniqueSku("DAY-B");
    const moves = [
      fabricated(a, 1, "2026-03-01T08:00:00.000Z", "received", 10, 10),
      fabricated(a, 2, "2026-03-01T17:00:00.000Z", "adjusted", -3, 7),
      fabricated(a, 3, "2026-03-03T09:00:00.000Z", "adjusted", 2, 9),
      fabricated(b, 1, "2026-03-01T23:59:59.999Z", "received", 4, 4),
      fabricated(b, 2, "2026-03-02T00:00:00.000Z", "received", 1, 5),
    ];
    for (const sku of [a, b]) {
      await env.DB.batch(projectionStatements(env.DB, moves.filter((m) => m.sku === sku)));
    }
    // A replayed batch changes nothing.
    await env.DB.batch(projectionStatements(env.DB, moves.filter((m) => m.sku === a)));

    const res = await api("GET", "/v1/reports/daily?from=2026-03-01&to=2026-03-03");
    expect(res.status).toBe(200);
    const mine = res.body.days.filter((d: any) => d.sku === a || d.sku === b);
    const zero = { reserved: 0, released: 0, committed: 0, cancelled: 0, fulfilled: 0, returned: 0, transferred: 0, expected: 0, expected_cancelled: 0 };
    expect(mine).toEqual([
      { day: "2026-03-01", sku: a, received: 10, adjusted: -3, ...zero, on_hand_end: 7 },
      { day: "2026-03-01", sku: b, received: 4, adjusted: 0, ...zero, on_hand_end: 4 },
      { day: "2026-03-02", sku: b, received: 1, adjusted: 0, ...zero, on_hand_end: 5 },
      { day: "2026-03-03", sku: a, received: 0, adjusted: 2, ...zero, on_hand_end: 9 },
    ]);

    const recount = await env.DB.prepare(
      `SELECT at_day AS day, sku, sum(CASE type WHEN 'received' THEN quantity ELSE 0 END) AS received,
              sum(CASE type WHEN 'adjusted' THEN quantity ELSE 0 END) AS adjusted
       FROM moves WHERE sku IN (?, ?) GROUP BY at_day, sku ORDER BY at_day, sku`,
    )
      .bind(a, b)
      .all();
    expect(mine.map((d: any) => ({ day: d.day, sku: d.sku, received: d.received, adjusted: d.adjusted }))).toEqual(
      recount.results,
    );

    const one = await api("GET", `/v1/reports/daily?sku=${b}&from=2026-03-02&to=2026-03-02`);
    expect(one.body.days).toEqual([{ day: "2026-03-02", sku: b, received: 1, adjusted: 0, ...zero, on_hand_end: 5 }]);
  });

  it("counts reservation and order moves made through the service", async () => {
    const sku = uniqueSku("DAY-LIVE");
    await receive(sku, 6);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku, quantity: 3 }]);
    await putReservation(id, [{ sku, quantity: 2 }]);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku, quantity: 1 }] } });
    await api("POST", `/v1/orders/${orderId}/cancel`);
    await api("POST", `/v1/orders/${orderId}/return`, { body: { lines: [{ sku, quantity: 1 }] } });
    await projected(sku);
    const today = new Date().toISOString().slice(0, 10);
    const res = await api("GET", `/v1/reports/daily?sku=${sku}&from=${today}&to=${today}`);
    expect(res.body.days).toEqual([
      {
        day: today,
        sku,
        received: 6,
        adjusted: 0,
        reserved: 3,
        released: 1,
        committed: 2,
        cancelled: 1,
        fulfilled: 1,
        returned: 1,
        transferred: 0,
        expected: 0,
        expected_cancelled: 0,
        on_hand_end: 6,
      },
    ]);
  });

  it("pages through the rollups by (day, sku) with limit and next_after, without losing or repeating a row", async () => {
    const skus = ["P-A", "P-B", "P-C"].map((p) => uniqueSku(p)).sort();
    for (const sku of skus) {
      const moves = ["2026-04-01", "2026-04-02", "2026-04-03"].map((day, i) =>
        fabricated(sku, i + 1, `${day}T12:00:00.000Z`, "received", 1, i + 1),
      );
      await env.DB.batch(projectionStatements(env.DB, moves));
    }
    const range = "from=2026-04-01&to=2026-04-03";
    const mine = (rows: any[]) => rows.filter((r) => skus.includes(r.sku)).map((r) => `${r.day} ${r.sku}`);
    const whole = await api("GET", `/v1/reports/daily?${range}&limit=10000`);
    expect(whole.body.next_after).toBeNull();
    expect(mine(whole.body.days)).toHaveLength(9);

    const paged: any[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = await api("GET", `/v1/reports/daily?${range}&limit=2${after ? `&after=${after}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.days.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.days);
      after = page.body.next_after;
      pages += 1;
    } while (after);
    expect(paged).toEqual(whole.body.days);
    expect(pages).toBe(Math.ceil(whole.body.days.length / 2));

    const oneSku = await api("GET", `/v1/reports/daily?sku=${skus[1]}&${range}&limit=1`);
    expect(oneSku.body.days.map((d: any) => d.day)).toEqual(["2026-04-01"]);
    const next = await api("GET", `/v1/reports/daily?sku=${skus[1]}&${range}&limit=5&after=${oneSku.body.next_after}`);
    expect(next.body).toMatchObject({ next_after: null });
    expect(next.body.days.map((d: any) => d.day)).toEqual(["2026-04-02", "2026-04-03"]);
  });

  it("pages over RPC the same way", async () => {
    const range = { from: "2026-04-01", to: "2026-04-03" };
    const first = await exports.InventoryService.dailyReport({ ...range, limit: 1 });
    const overHttp = await api("GET", "/v1/reports/daily?from=2026-04-01&to=2026-04-03&limit=1");
    expect(first).toEqual({ ok: true, value: overHttp.body });
  });

  it("defaults to 1,000 rows a page and refuses a bad limit or a cursor it did not return", async () => {
    const range = "from=2026-04-01&to=2026-04-03";
    for (const bad of ["limit=0", "limit=10001", "after=not-a-cursor", `after=${btoa("x/y")}`]) {
      const res = await api("GET", `/v1/reports/daily?${range}&${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(bad.split("=")[0]);
    }
    expect((await api("GET", `/v1/reports/daily?${range}&limit=10000`)).status).toBe(200);
  });

  it("rejects a range over 366 days, to before from, and malformed days", async () => {
    for (const query of [
      "from=2025-01-01&to=2026-01-02",
      "from=2026-03-02&to=2026-03-01",
      "from=2026-3-1&to=2026-03-02",
      "from=2026-03-01",
      "to=2026-03-01",
    ]) {
      const res = await api("GET", `/v1/reports/daily?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await api("GET", "/v1/reports/daily?from=2025-01-01&to=2026-01-01")).status).toBe(200);
  });
});

describe("retention (daily cron)", () => {
  it("deletes exactly the D1 moves older than MOVES_RETENTION_DAYS, keeps rollups and ledgers", async () => {
    const sku = uniqueSku("OLD");
    await receive(sku, 3);
    await projected(sku);
    const old = [
      fabricated(`${sku}-x`, 1, "2026-01-01T00:00:00.000Z", "received", 5, 5),
      fabricated(`${sku}-x`, 2, "2026-01-30T23:59:59.999Z", "received", 5, 10),
      fabricated(`${sku}-x`, 3, "2026-01-31T00:00:00.000Z", "received", 5, 15),
    ];
    await env.DB.batch(projectionStatements(env.DB, old));

    // A clock 90 days after 2026-01-31T00:00:00Z: the cutoff is that instant, exclusive.
    const controller = createScheduledController({ scheduledTime: Date.parse("2026-05-01T00:00:00.000Z") });
    const { lines } = await capturingConsole("log", () => worker.scheduled(controller, env));
    expect(lines).toEqual(["retention: deleted 2 D1 moves older than 90 days"]);

    expect((await d1Moves(`${sku}-x`)).map((m) => m.seq)).toEqual([3]);
    expect(await d1Moves(sku)).toHaveLength(1);
    const rollups = await api("GET", `/v1/reports/daily?sku=${sku}-x&from=2026-01-01&to=2026-01-31`);
    expect(rollups.body.days.map((d: any) => d.day)).toEqual(["2026-01-01", "2026-01-30", "2026-01-31"]);
    expect(await ledger(sku)).toHaveLength(1);
  });
});

describe("rebuild of the read model", () => {
  async function readModel(skus: string[]) {
    const marks = skus.map(() => "?").join(", ");
    const all = (sql: string) => env.DB.prepare(sql).bind(...skus).all().then((r) => r.results);
    return {
      stock: await all(`SELECT * FROM stock WHERE sku IN (${marks}) ORDER BY sku`),
      // The cursor and the time a move reached D1 are the projection's own; everything else must match.
      moves: (await all(`SELECT * FROM moves WHERE sku IN (${marks}) ORDER BY sku, seq`)).map(
        ({ cursor: _cursor, projected_at: _projectedAt, ...rest }) => rest,
      ),
      rollups: await all(`SELECT * FROM daily_rollups WHERE sku IN (${marks}) ORDER BY day, sku`),
    };
  }

  async function rebuildAll() {
    let after: string | undefined;
    do {
      const res = await api("POST", "/v1/admin/read-model/rebuild", {
        token: ADMIN_TOKEN,
        body: { limit: 2, ...(after ? { after_sku: after } : {}) },
      });
      expect(res.status).toBe(200);
      after = res.body.next_after_sku ?? undefined;
    } while (after);
  }

  it("replays every ledger into an empty read model: equal to the live projection, and idempotent", async () => {
    const skus = Array.from({ length: 5 }, () => uniqueSku("RB"));
    for (const [i, sku] of skus.entries()) {
      await receive(sku, 10 + i);
      await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "count" } });
    }
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: skus[0]!, quantity: 2 }, { sku: skus[1]!, quantity: 1 }]);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: uniqueSku("order") } });
    await projected(...skus);
    const live = await readModel(skus);
    expect(live.moves.length).toBe(14);

    let reset;
    do reset = await api("POST", "/v1/admin/read-model/reset", { token: ADMIN_TOKEN });
    while (!reset.body.done);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM moves").first())!.n).toBe(0);
    expect((await api("GET", `/v1/products/${skus[0]}`)).status).toBe(200);

    await rebuildAll();
    await projected(...skus);
    expect(await readModel(skus)).toEqual(live);

    await rebuildAll();
    await projected(...skus);
    expect(await readModel(skus)).toEqual(live);
  });

  it("needs an admin token", async () => {
    expect((await api("POST", "/v1/admin/read-model/rebuild", { token: "test-read-token" })).status).toBe(403);
    expect((await api("POST", "/v1/admin/read-model/rebuild", { token: "test-write-token" })).status).toBe(403);
    expect((await api("POST", "/v1/admin/read-model/reset", { token: null })).status).toBe(401);
  });
});
