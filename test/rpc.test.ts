// InventoryService over RPC: the same validation, results and errors as HTTP, failures as values.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callerOf } from "../src/rpc";
import { api, ledger, uniqueSku } from "./helpers";

const service = exports.InventoryService;

describe("InventoryService (RPC)", () => {
  it("receives and reads stock with the same objects as HTTP", async () => {
    const sku = uniqueSku("RPC");
    const received = await service.receive(sku, { quantity: 6, ref: "PO-1" });
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(received.value.stock).toMatchObject({ sku, on_hand: 6, version: 1 });

    const overHttp = await api("GET", `/v1/products/${sku}`);
    expect(await service.getProduct(sku)).toEqual({ ok: true, value: overHttp.body });
    expect(await service.listProductMoves(sku, { limit: 10 })).toEqual({
      ok: true,
      value: (await api("GET", `/v1/products/${sku}/moves?limit=10`)).body,
    });
  });

  it("returns validation failures as values with details.issues", async () => {
    const sku = uniqueSku("RPC");
    const result = await service.receive(sku, { quantity: 0 });
    expect(result).toEqual({
      ok: false,
      error: {
        code: "invalid_request",
        message: expect.any(String),
        details: { issues: [{ path: "quantity", message: expect.any(String) }] },
      },
    });
    const unknownField = await service.adjust(sku, { delta: 1, reason: "x", extra: true } as never);
    expect(unknownField.ok).toBe(false);
    expect(await ledger(sku)).toEqual([]);
  });

  it("returns domain refusals as values", async () => {
    const sku = uniqueSku("RPC");
    await service.receive(sku, { quantity: 1 });
    const result = await service.adjust(sku, { delta: -2, reason: "count" });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "insufficient_stock", details: { shortfalls: [{ sku, requested: 2, available: 1 }] } },
    });
    expect(await service.getProduct(uniqueSku("NONE"))).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("honours idempotency keys like the HTTP header", async () => {
    const sku = uniqueSku("RPC");
    const first = await service.receive(sku, { quantity: 2 }, { idempotencyKey: "k1" });
    const again = await service.receive(sku, { quantity: 2 }, { idempotencyKey: "k1" });
    const changed = await service.receive(sku, { quantity: 3 }, { idempotencyKey: "k1" });
    expect(again).toEqual(first);
    expect(changed).toMatchObject({ ok: false, error: { code: "idempotency_conflict" } });
    expect(await ledger(sku)).toHaveLength(1);
  });
});

describe("(v1.2) the actor of a bound Worker", () => {
  it("is rpc without props, the name its binding passes, and nothing a binding could use to pass as the service", () => {
    expect(callerOf(undefined)).toEqual({ actor: "rpc", scope: "write", skuPrefix: null });
    expect(callerOf({})).toEqual({ actor: "rpc", scope: "write", skuPrefix: null });
    expect(callerOf({ actor: "checkout" })).toEqual({ actor: "checkout", scope: "write", skuPrefix: null });
    for (const actor of ["system", "rpc", "two words", "", "x".repeat(65), 7, null]) expect(callerOf({ actor }), String(actor)).toBeNull();
  });
});
