// Orders after checkout: fulfil, cancel and return, each all-or-nothing and bounded by the order.
import { describe, expect, it } from "vitest";
import { api, ledger, putReservation, receive, stockOf, uniqueSku } from "./helpers";

/** Two SKUs with 10 each, a reservation of 4 and 2 committed as an order. */
async function placedOrder() {
  const a = uniqueSku("OA");
  const b = uniqueSku("OB");
  await receive(a, 10);
  await receive(b, 10);
  const id = uniqueSku("cart");
  const orderId = uniqueSku("order");
  await putReservation(id, [
    { sku: a, quantity: 4 },
    { sku: b, quantity: 2 },
  ]);
  const res = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
  expect(res.status).toBe(200);
  return { a, b, id, orderId };
}

const lineOf = (order: any, sku: string) => order.lines.find((l: any) => l.sku === sku);

describe("POST /v1/orders/:order_id/fulfil", () => {
  it("fulfils every outstanding unit when lines are omitted", async () => {
    const { a, b, orderId } = await placedOrder();
    const res = await api("POST", `/v1/orders/${orderId}/fulfil`);
    expect(res.status).toBe(200);
    expect(lineOf(res.body, a)).toEqual({
      sku: a,
      committed: 4,
      fulfilled: 4,
      cancelled: 0,
      returned: 0,
      allocations: [{ location: "default", committed: 4, fulfilled: 4, cancelled: 0, returned: 0 }],
    });
    expect(lineOf(res.body, b)).toMatchObject({ fulfilled: 2 });
    expect(await stockOf(a)).toMatchObject({ on_hand: 6, reserved: 0, committed: 0, available: 6 });
    expect((await ledger(a)).at(-1)).toMatchObject({ type: "fulfilled", quantity: 4, order_id: orderId });
  });

  it("fulfils given lines only, and again with nothing outstanding answers 200 unchanged", async () => {
    const { a, b, orderId } = await placedOrder();
    const partial = await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku: a, quantity: 3 }] } });
    expect(lineOf(partial.body, a)).toMatchObject({ fulfilled: 3 });
    expect(lineOf(partial.body, b)).toMatchObject({ fulfilled: 0 });
    await api("POST", `/v1/orders/${orderId}/fulfil`, { body: {} });
    const before = await api("GET", `/v1/orders/${orderId}`);
    const movesBefore = (await ledger(a)).length;
    const nothing = await api("POST", `/v1/orders/${orderId}/fulfil`);
    expect(nothing.status).toBe(200);
    expect(nothing.body).toEqual(before.body);
    expect(await ledger(a)).toHaveLength(movesBefore);
  });

  it("refuses more than outstanding, or a SKU the order lacks, with 409 quantity_exceeds_order and changes nothing", async () => {
    const { a, b, orderId } = await placedOrder();
    const stranger = uniqueSku("NOT-IN-ORDER");
    for (const lines of [
      [{ sku: a, quantity: 5 }],
      [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 3 },
      ],
      [{ sku: stranger, quantity: 1 }],
    ]) {
      const res = await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("quantity_exceeds_order");
    }
    const order = await api("GET", `/v1/orders/${orderId}`);
    expect(order.body.lines.every((l: any) => l.fulfilled === 0)).toBe(true);
    expect(await stockOf(a)).toMatchObject({ on_hand: 10, committed: 4 });
  });
});

describe("POST /v1/orders/:order_id/cancel", () => {
  it("returns outstanding units to available", async () => {
    const { a, b, orderId } = await placedOrder();
    await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku: a, quantity: 1 }] } });
    const res = await api("POST", `/v1/orders/${orderId}/cancel`);
    expect(res.status).toBe(200);
    expect(lineOf(res.body, a)).toEqual({
      sku: a,
      committed: 4,
      fulfilled: 1,
      cancelled: 3,
      returned: 0,
      allocations: [{ location: "default", committed: 4, fulfilled: 1, cancelled: 3, returned: 0 }],
    });
    expect(lineOf(res.body, b)).toMatchObject({ cancelled: 2 });
    expect(await stockOf(a)).toMatchObject({ on_hand: 9, committed: 0, available: 9 });
    expect((await ledger(b)).at(-1)).toMatchObject({ type: "cancelled", quantity: 2, order_id: orderId });
    const more = await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku: a, quantity: 1 }] } });
    expect(more.status).toBe(409);
  });
});

describe("POST /v1/orders/:order_id/return", () => {
  it("restocks up to fulfilled − returned", async () => {
    const { a, orderId } = await placedOrder();
    await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku: a, quantity: 3 }] } });
    const res = await api("POST", `/v1/orders/${orderId}/return`, { body: { lines: [{ sku: a, quantity: 2 }] } });
    expect(res.status).toBe(200);
    expect(lineOf(res.body, a)).toMatchObject({ fulfilled: 3, returned: 2 });
    expect(await stockOf(a)).toMatchObject({ on_hand: 9, committed: 1, available: 8 });

    const over = await api("POST", `/v1/orders/${orderId}/return`, { body: { lines: [{ sku: a, quantity: 2 }] } });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({
      code: "quantity_exceeds_order",
      details: { lines: [{ sku: a, requested: 2, allowed: 1 }] },
    });
    expect(await stockOf(a)).toMatchObject({ on_hand: 9 });
  });

  it("requires lines", async () => {
    const { orderId } = await placedOrder();
    expect((await api("POST", `/v1/orders/${orderId}/return`, { body: {} })).status).toBe(400);
    expect((await api("POST", `/v1/orders/${orderId}/return`)).status).toBe(400);
  });

  it("applies a return once per Idempotency-Key", async () => {
    const { a, orderId } = await placedOrder();
    await api("POST", `/v1/orders/${orderId}/fulfil`);
    const headers = { "idempotency-key": "rma-1" };
    const body = { lines: [{ sku: a, quantity: 1 }] };
    const first = await api("POST", `/v1/orders/${orderId}/return`, { headers, body });
    const again = await api("POST", `/v1/orders/${orderId}/return`, { headers, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(lineOf(again.body, a).returned).toBe(1);
    expect((await ledger(a)).filter((m) => m.type === "returned")).toHaveLength(1);
  });
});

describe("GET /v1/orders/:order_id", () => {
  it("answers 404 for an unknown order and for an order id only claimed", async () => {
    expect((await api("GET", `/v1/orders/${uniqueSku("none")}`)).status).toBe(404);
    expect((await api("POST", `/v1/orders/${uniqueSku("none")}/fulfil`)).status).toBe(404);
  });
});
