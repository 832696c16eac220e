// Contract v1.1: stocktakes. A count sets on_hand to what was counted inside the SKU's transaction; a bulk
// count applies each line on its own; both re-apply nothing when retried with their Idempotency-Key.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, ledger, putReservation, receive, stockOf, uniqueSku } from "./helpers";

const count = (sku: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  api("POST", `/v1/products/${sku}/count`, { body, headers });

describe("POST /v1/products/:sku/count", () => {
  it("sets on_hand with one adjusted move of the difference, reason count by default", async () => {
    const sku = uniqueSku("COUNT");
    await receive(sku, 10);
    const res = await count(sku, { on_hand: 7, ref: "shelf-3" });
    expect(res.status).toBe(201);
    expect(res.body.move).toMatchObject({ type: "adjusted", quantity: -3, reason: "count", ref: "shelf-3", seq: 2 });
    expect(res.body.stock).toMatchObject({ on_hand: 7, available: 7, version: 2 });
    const up = await count(sku, { on_hand: 12, reason: "found a box" });
    expect(up.body.move).toMatchObject({ quantity: 5, reason: "found a box" });
  });

  it("answers 200 with no move when the count equals on_hand, and a SKU never moved counts from zero", async () => {
    const sku = uniqueSku("COUNT");
    await receive(sku, 4);
    const same = await count(sku, { on_hand: 4 });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ move: null, stock: expect.objectContaining({ sku, on_hand: 4, version: 1 }) });
    expect(await ledger(sku)).toHaveLength(1);

    const fresh = uniqueSku("COUNT");
    expect((await count(fresh, { on_hand: 0 })).body).toEqual({
      move: null,
      stock: { sku: fresh, on_hand: 0, reserved: 0, committed: 0, available: 0, version: 0, updated_at: null, locations: [], incoming: 0, available_to_promise: 0 },
    });
    expect((await count(fresh, { on_hand: 3 })).body.move).toMatchObject({ type: "adjusted", quantity: 3, seq: 1 });
  });

  it("(v1.2) records a count below what is reserved: the SKU is short; only a count that raced a sale is refused", async () => {
    const sku = uniqueSku("COUNT");
    await receive(sku, 10);
    await putReservation(uniqueSku("cart"), [{ sku, quantity: 4 }]);
    const stale = await count(sku, { on_hand: 9, expected_version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "version_conflict", details: { current_version: 2 } });
    expect(await stockOf(sku)).toMatchObject({ on_hand: 10, reserved: 4, version: 2 });
    const short = await count(sku, { on_hand: 3 });
    expect(short.status).toBe(201);
    expect(short.body.stock).toMatchObject({ on_hand: 3, reserved: 4, available: -1, version: 3 });
  });

  it("is decided inside the SKU's transaction: concurrent counts and sales end at a count, never below zero", async () => {
    const sku = uniqueSku("COUNT");
    await receive(sku, 50);
    const calls = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? count(sku, { on_hand: 20 + i }) : putReservation(uniqueSku("cart"), [{ sku, quantity: 1 }]),
    );
    await Promise.all(calls);
    const moves = await ledger(sku);
    expect(moves.map((m) => m.seq)).toEqual(moves.map((_, i) => i + 1));
    const stock = await stockOf(sku);
    expect(stock.available).toBeGreaterThanOrEqual(0);
    // Every count set on_hand to its number; the last move that changed on_hand was a count.
    const lastCount = moves.filter((m) => m.type === "adjusted").at(-1)!;
    expect(stock.on_hand).toBe(lastCount.on_hand);
  });

  it("re-applies nothing when retried with its Idempotency-Key", async () => {
    const sku = uniqueSku("COUNT");
    await receive(sku, 10);
    const first = await count(sku, { on_hand: 8 }, { "idempotency-key": "stocktake-1" });
    await receive(sku, 5);
    const retried = await count(sku, { on_hand: 8 }, { "idempotency-key": "stocktake-1" });
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 13 });
  });

  it("refuses a bad count with 400 naming the field", async () => {
    const sku = uniqueSku("COUNT");
    for (const [body, field] of [
      [{ on_hand: -1 }, "on_hand"],
      [{ on_hand: 1_000_001 }, "on_hand"],
      [{ on_hand: 2.5 }, "on_hand"],
      [{}, "on_hand"],
      [{ on_hand: 1, reason: "" }, "reason"],
      [{ on_hand: 1, expected_version: -1 }, "expected_version"],
    ] as const) {
      const res = await count(sku, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });
});

describe("POST /v1/counts", () => {
  it("applies each line on its own and answers in the lines' order", async () => {
    const [a, b, c] = [uniqueSku("BULK"), uniqueSku("BULK"), uniqueSku("BULK")];
    await receive(a, 5);
    await receive(b, 5);
    await putReservation(uniqueSku("cart"), [{ sku: b, quantity: 5 }]);
    const res = await api("POST", "/v1/counts", {
      body: { lines: [{ sku: c, on_hand: 2 }, { sku: b, on_hand: 1, expected_version: 1 }, { sku: a, on_hand: 5 }], ref: "cycle-7" },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { sku: c, ok: true, move: expect.objectContaining({ quantity: 2, reason: "count", ref: "cycle-7" }), stock: expect.objectContaining({ on_hand: 2 }) },
      { sku: b, ok: false, error: expect.objectContaining({ code: "version_conflict" }) },
      { sku: a, ok: true, move: null, stock: expect.objectContaining({ on_hand: 5 }) },
    ]);
    expect(await stockOf(b)).toMatchObject({ on_hand: 5, reserved: 5 });
  });

  it("re-applies nothing when retried with its key, and answers a changed body line by line with a conflict", async () => {
    const [a, b] = [uniqueSku("BULK"), uniqueSku("BULK")];
    await receive(a, 5);
    await receive(b, 5);
    const body = { lines: [{ sku: a, on_hand: 3 }, { sku: b, on_hand: 9 }] };
    const headers = { "idempotency-key": `bulk-${a}` };
    const first = await api("POST", "/v1/counts", { body, headers });
    await receive(a, 10);
    const again = await api("POST", "/v1/counts", { body, headers });
    expect(again.body).toEqual(first.body);
    expect(await stockOf(a)).toMatchObject({ on_hand: 13 });
    expect(await ledger(b)).toHaveLength(2);

    const changed = await api("POST", "/v1/counts", { body: { lines: [{ sku: a, on_hand: 1 }] }, headers });
    expect(changed.body.results[0]).toMatchObject({ sku: a, ok: false, error: { code: "idempotency_conflict" } });
  });

  it("keeps a bulk count's key apart from a single count's, whatever the keys spell", async () => {
    const sku = uniqueSku("SCOPE");
    await receive(sku, 5);
    // Bulk counts once kept their keys as `counts:<key>` among single counts' keys: these two collided.
    const single = await api("POST", `/v1/products/${sku}/count`, { body: { on_hand: 7 }, headers: { "idempotency-key": "counts:k1" } });
    expect(single.status).toBe(201);
    const bulk = await api("POST", "/v1/counts", { body: { lines: [{ sku, on_hand: 2 }] }, headers: { "idempotency-key": "k1" } });
    expect(bulk.body.results[0]).toMatchObject({ sku, ok: true, stock: { on_hand: 2 } });
    expect(await stockOf(sku)).toMatchObject({ on_hand: 2 });
  });

  it("refuses duplicate SKUs, no lines or more than 1,000, naming the field", async () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `S-${i}`, on_hand: 1 }));
    for (const [body, field] of [
      [{ lines: [{ sku: "X", on_hand: 1 }, { sku: "X", on_hand: 2 }] }, "lines.1.sku"],
      [{ lines: [] }, "lines"],
      [{ lines: lines(1001) }, "lines"],
    ] as const) {
      const res = await api("POST", "/v1/counts", { body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });

  it("is the same over RPC", async () => {
    const sku = uniqueSku("BULK");
    const single = await exports.InventoryService.count(sku, { on_hand: 4 });
    expect(single).toMatchObject({ ok: true, created: true, value: { move: { quantity: 4 } } });
    const bulk = await exports.InventoryService.counts({ lines: [{ sku, on_hand: 4 }] });
    expect(bulk).toMatchObject({ ok: true, value: { results: [{ sku, ok: true, move: null }] } });
  });
});
