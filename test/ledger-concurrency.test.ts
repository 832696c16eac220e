// Many callers on one SKU at once: every move lands exactly once, seqs stay gapless, nothing oversells.
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, ledger, productStub, receive, uniqueSku } from "./helpers";

describe("one SKU under concurrent commands", () => {
  it("lands 100 concurrent receives and adjusts exactly once, with gapless seqs and exact balances", async () => {
    const sku = uniqueSku("HOT");
    await receive(sku, 100);
    const calls = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 2, ref: `r${i}` } })
        : api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "count", ref: `a${i}` } }),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));

    const moves = await ledger(sku);
    expect(moves.map((m) => m.seq)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(new Set(moves.map((m) => m.ref)).size).toBe(101);
    expect(moves.at(-1)).toMatchObject({ on_hand: 100 + 50 * 2 - 50, available: 150 });
    // Each move's balances follow from the one before it.
    for (let i = 1; i < moves.length; i++) {
      expect(moves[i].on_hand - moves[i - 1].on_hand).toBe(moves[i].quantity);
    }
    const stock = await api("GET", `/v1/products/${sku}`);
    expect(stock.body).toMatchObject({ on_hand: 150, version: 101 });
  });

  it("never lets concurrent decrements take available below zero", async () => {
    const sku = uniqueSku("LAST");
    await receive(sku, 30);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "sold elsewhere" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(30);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(70);
    for (const r of refused) expect(r.body.error.code).toBe("insufficient_stock");
    const stock = await api("GET", `/v1/products/${sku}`);
    expect(stock.body).toMatchObject({ on_hand: 0, available: 0, version: 31 });
  });

  it("accepts one of many concurrent adjusts that carry the same expected_version", async () => {
    const sku = uniqueSku("CAS");
    await receive(sku, 10);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "count", expected_version: 1 } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.body.error).toMatchObject({ code: "version_conflict", details: { current_version: 2 } });
    }
  });

  it("replays concurrent retries of one idempotent request as a single move", async () => {
    const sku = uniqueSku("RETRY");
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        api("POST", `/v1/products/${sku}/receive`, {
          headers: { "idempotency-key": "delivery-77" },
          body: { quantity: 7 },
        }),
      ),
    );
    expect(new Set(results.map((r) => JSON.stringify([r.status, r.body]))).size).toBe(1);
    expect(await ledger(sku)).toHaveLength(1);
  });
});

describe("a Durable Object evicted between commands", () => {
  it("keeps its ledger, snapshot and idempotency records", async () => {
    const sku = uniqueSku("EVICT");
    const headers = { "idempotency-key": "before-eviction" };
    const first = await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 5 } });
    await evictDurableObject(productStub(sku));

    const replay = await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 5 } });
    expect(replay.body).toEqual(first.body);
    const next = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -2, reason: "count" } });
    expect(next.body.move.seq).toBe(2);
    expect(next.body.stock).toMatchObject({ on_hand: 3, version: 2 });

    await evictDurableObject(productStub(sku));
    expect((await ledger(sku)).map((m) => m.seq)).toEqual([1, 2]);
  });
});
