// API.md v1.1: a GET of an unknown SKU, reservation or order answers 404 and leaves no storage behind.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, orderStub, productStub, putReservation, receive, reservationStub, uniqueSku } from "./helpers";

/** Every table and index an object has stored (the runtime's own `_cf_` bookkeeping aside). */
async function storedTables(stub: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(stub, (_: unknown, state: DurableObjectState) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'")
      .toArray()
      .map((r) => r.name),
  );
}

describe("reads of unknown things", () => {
  it("answer 404 and leave no storage in the SKU's, reservation's or order's object", async () => {
    const [sku, reservationId, orderId] = [uniqueSku("GHOST"), uniqueSku("cart"), uniqueSku("order")];
    const reads = [
      `/v1/products/${sku}`,
      `/v1/products/${sku}?at=2026-01-01T00:00:00Z`,
      `/v1/products/${sku}/moves`,
      `/v1/reservations/${reservationId}`,
      `/v1/orders/${orderId}`,
    ];
    for (const path of reads) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // Refused commands on unknown ids store nothing either.
    expect((await api("DELETE", `/v1/reservations/${reservationId}`)).status).toBe(404);
    expect((await api("POST", `/v1/reservations/${reservationId}/commit`, { body: { order_id: orderId } })).status).toBe(404);
    expect((await api("POST", `/v1/orders/${orderId}/fulfil`)).status).toBe(404);

    // Locally every object that was ever instantiated has a (possibly empty) file; on Cloudflare an object
    // that stored nothing is not kept. What matters is that it stored nothing.
    expect(await storedTables(productStub(sku))).toEqual([]);
    expect(await storedTables(reservationStub(reservationId))).toEqual([]);
    expect(await storedTables(orderStub(orderId))).toEqual([]);
  });

  it("a refused first write on an unknown SKU leaves no storage either, and the next write creates it", async () => {
    const [sku, held, cart] = [uniqueSku("TYPO"), uniqueSku("TYPO"), uniqueSku("cart")];
    const below = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -5, reason: "shrinkage" } });
    expect(below.status).toBe(409);
    expect(below.body.error.code).toBe("insufficient_stock");
    const reserved = await putReservation(cart, [{ sku: held, quantity: 2 }]);
    expect(reserved.status).toBe(409);
    expect(await storedTables(productStub(sku))).toEqual([]);
    expect(await storedTables(productStub(held))).toEqual([]);

    await receive(sku, 3);
    expect((await api("GET", `/v1/products/${sku}`)).body).toMatchObject({ on_hand: 3, version: 1 });
    expect((await api("GET", `/v1/products/${sku}/moves`)).body.moves.map((m: any) => [m.seq, m.type])).toEqual([[1, "received"]]);
  });

  it("a keyed refusal on an unknown SKU is remembered, so its retry answers the same after stock arrives", async () => {
    const sku = uniqueSku("KEYED");
    const adjust = () =>
      api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -2, reason: "shrinkage" }, headers: { "idempotency-key": `k-${sku}` } });
    expect((await adjust()).status).toBe(409);
    await receive(sku, 5);
    const retried = await adjust();
    expect(retried.status).toBe(409);
    expect(retried.body.error.code).toBe("insufficient_stock");
    expect((await api("GET", `/v1/products/${sku}`)).body).toMatchObject({ on_hand: 5, version: 1 });
  });

  it("do not stop the first write from creating the object's schema", async () => {
    const sku = uniqueSku("LATE");
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);
    await receive(sku, 3);
    expect(await storedTables(productStub(sku))).toEqual(expect.arrayContaining(["stock_moves", "ledger_sku", "holds"]));
    expect((await api("GET", `/v1/products/${sku}`)).body).toMatchObject({ on_hand: 3, version: 1 });
  });
});
