// (v1.2) Reality over HTTP: a count that finds fewer units than are promised, adjusts that may, backorders,
// incoming units and preorders, and the read model's view of short SKUs and incoming moves.
import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Peers } from "../durable-objects/shared/calls";
import { api, capturingConsole, orderStub, ledger, productStub, putReservation, receive, uniqueSku } from "./helpers";

/** The Stock object, read from the SKU's own ledger. */
const stockOf = async (sku: string) => (await api("GET", `/v1/products/${sku}`)).body;

const settings = (sku: string, body: Record<string, unknown>) => api("PUT", `/v1/products/${sku}/settings`, { body });
const incoming = (sku: string, id: string, body: Record<string, unknown>) =>
  api("PUT", `/v1/products/${sku}/incoming/${id}`, { body });
const SOON = "2027-01-15T09:00:00.000Z";

/** Every SKU under `prefix` in a listing, following its pages. */
async function listed(query: string, prefix: string): Promise<string[]> {
  const res = await api("GET", `/v1/stock?${query}&prefix=${prefix}&limit=1000`);
  expect(res.status).toBe(200);
  return res.body.items.map((s: any) => s.sku);
}

describe("a count records what is on the shelf", () => {
  it("takes on_hand below what is promised: available goes negative, and no new hold is granted", async () => {
    const sku = uniqueSku("SHORT");
    await receive(sku, 7);
    expect((await putReservation(`cart:${sku}`, [{ sku, quantity: 5 }])).status).toBe(201);
    const counted = await api("POST", `/v1/products/${sku}/count`, { body: { on_hand: 3 } });
    expect(counted.status).toBe(201);
    expect(counted.body.move).toMatchObject({ type: "adjusted", quantity: -4, on_hand: 3, reserved: 5, available: -2 });
    expect(counted.body.stock).toMatchObject({ on_hand: 3, reserved: 5, available: -2, available_to_promise: 0 });

    const another = await putReservation(`cart2:${sku}`, [{ sku, quantity: 1 }]);
    expect(another.status).toBe(409);
    expect(another.body.error.details.shortfalls).toEqual([{ sku, requested: 1, available: 0 }]);
    // The cart already holding units may shrink.
    expect((await putReservation(`cart:${sku}`, [{ sku, quantity: 2 }])).status).toBe(200);
    expect((await stockOf(sku)).available).toBe(1);
  });

  it("in bulk too, line by line", async () => {
    const sku = uniqueSku("SHORT");
    await receive(sku, 4);
    await putReservation(`cart:${sku}`, [{ sku, quantity: 4 }]);
    const res = await api("POST", "/v1/counts", { body: { lines: [{ sku, on_hand: 1 }] } });
    expect(res.status).toBe(200);
    expect((await stockOf(sku)).available).toBe(-3);
  });

  it("an adjust keeps its refusal, in the caller's own delta, unless it says allow_short", async () => {
    const sku = uniqueSku("SHORT");
    await receive(sku, 7);
    await putReservation(`cart:${sku}`, [{ sku, quantity: 5 }]);
    const refused = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -4, reason: "damaged" } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.shortfalls).toEqual([{ sku, requested: 4, available: 2 }]);
    expect((await stockOf(sku)).version).toBe(2);

    const allowed = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -4, reason: "damaged", allow_short: true } });
    expect(allowed.status).toBe(201);
    expect(allowed.body.stock.available).toBe(-2);
    const below = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -4, reason: "lost", allow_short: true } });
    expect(below.status).toBe(409);
  });

  it("GET /v1/stock?short=true lists SKUs short beyond what backorders cover", async () => {
    const prefix = uniqueSku("SHL");
    const [short, covered, fine] = [`${prefix}-A`, `${prefix}-B`, `${prefix}-C`];
    for (const sku of [short, covered, fine]) {
      await receive(sku, 3);
      await putReservation(`cart:${sku}`, [{ sku, quantity: 3 }]);
    }
    await settings(covered, { backorder_limit: 5 });
    await api("POST", `/v1/products/${short}/count`, { body: { on_hand: 1 } });
    await api("POST", `/v1/products/${covered}/count`, { body: { on_hand: 1 } });
    await Promise.all([short, covered, fine].map((sku) => productStub(sku).flush()));
    expect(await listed("short=true", prefix)).toEqual([short]);
    expect(await listed("in_stock=false", prefix)).toEqual([short, covered, fine]);
    // The policy decides: a larger limit covers the short one too.
    await settings(short, { backorder_limit: 2 });
    await productStub(short).flush();
    expect(await listed("short=true", prefix)).toEqual([]);
    const combined = await api("GET", `/v1/stock?short=true&location=default`);
    expect(combined.status).toBe(400);
  });
});

describe("backorders", () => {
  it("let carts take available down to −backorder_limit, and a fulfil still needs units on hand", async () => {
    const sku = uniqueSku("BACK");
    await receive(sku, 2);
    const set = await settings(sku, { backorder_limit: 3 });
    expect(set.body).toMatchObject({ sku, backorder_limit: 3, preorder: false, low_stock_threshold: null });
    expect((await stockOf(sku)).available_to_promise).toBe(5);

    expect((await putReservation(`cart:${sku}`, [{ sku, quantity: 5 }])).status).toBe(201);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 2, reserved: 5, available: -3, available_to_promise: 0 });
    const over = await putReservation(`cart2:${sku}`, [{ sku, quantity: 1 }]);
    expect(over.status).toBe(409);

    const order = `order:${sku}`;
    expect((await api("POST", `/v1/reservations/cart:${sku}/commit`, { body: { order_id: order } })).status).toBe(200);
    const fulfil = await api("POST", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku, quantity: 5 }] } });
    expect(fulfil.status).toBe(409);
    expect(fulfil.body.error.code).toBe("insufficient_stock");
    expect((await api("POST", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku, quantity: 2 }] } })).status).toBe(200);
  });

  it("a fulfil the shelf lost after the order's check is put back on the order, not retried forever", async () => {
    const sku = uniqueSku("BACK");
    await receive(sku, 2);
    await settings(sku, { backorder_limit: 3 });
    await putReservation(`cart:${sku}`, [{ sku, quantity: 4 }]);
    const order = `order:${sku}`;
    await api("POST", `/v1/reservations/cart:${sku}/commit`, { body: { order_id: order } });
    // The check sees a full shelf (as if a count landed right after it): the product itself refuses.
    await runInDurableObject(orderStub(order), (instance: unknown) => {
      const coordinator = instance as { peers: Peers };
      const real = coordinator.peers;
      coordinator.peers = {
        ...real,
        product: (s: string) =>
          new Proxy(real.product(s), {
            get: (target, key) =>
              key === "getStock"
                ? async () => ({ ok: true, value: { sku: s, locations: [{ location: "default", on_hand: 99 }] } })
                : Reflect.get(target, key),
          }),
      };
    });
    const { result: refused } = await capturingConsole("warn", () => api("POST", `/v1/orders/${order}/fulfil`));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("insufficient_stock");
    expect((await api("GET", `/v1/orders/${order}`)).body.lines[0]).toMatchObject({ committed: 4, fulfilled: 0 });
    // Nothing is left for recovery to send.
    const intents = await runInDurableObject(orderStub(order), (_: unknown, state: DurableObjectState) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM intent").one().n,
    );
    expect(intents).toBe(0);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 2, committed: 4 });
  });

  it("a setting left out keeps its value; none at all is a 400", async () => {
    const sku = uniqueSku("BACK");
    await settings(sku, { backorder_limit: 4, preorder: true });
    expect((await settings(sku, { low_stock_threshold: 2 })).body).toMatchObject({ backorder_limit: 4, preorder: true, low_stock_threshold: 2 });
    const none = await settings(sku, {});
    expect(none.status).toBe(400);
    for (const bad of [{ backorder_limit: -1 }, { backorder_limit: 1_000_001 }, { preorder: "yes" }]) {
      expect((await settings(sku, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await api("GET", `/v1/products/${sku}/settings`)).body).toMatchObject({ backorder_limit: 4, preorder: true });
  });
});

describe("incoming", () => {
  it("is declared, changed, received against and listed; every change is a move", async () => {
    const sku = uniqueSku("INC");
    const created = await incoming(sku, "PO-7", { quantity: 10, expected_at: SOON });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: "PO-7",
      sku,
      location: "default",
      quantity: 10,
      received: 0,
      expected_at: SOON,
      status: "open",
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await incoming(sku, "PO-7", { quantity: 12, expected_at: SOON })).status).toBe(200);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 0, incoming: 12, available_to_promise: 0 });

    const receipt = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 5, incoming_id: "PO-7" } });
    expect(receipt.status).toBe(201);
    expect(receipt.body.move).toMatchObject({ type: "received", quantity: 5, incoming_id: "PO-7", incoming: 7 });
    expect(receipt.body.stock).toMatchObject({ on_hand: 5, incoming: 7 });
    // Beyond what was declared: received in full, and the incoming is done.
    await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 9, incoming_id: "PO-7" } });
    expect((await api("GET", `/v1/products/${sku}/incoming/PO-7`)).body).toMatchObject({ received: 14, status: "received" });
    expect(await stockOf(sku)).toMatchObject({ on_hand: 14, incoming: 0 });

    expect((await ledger(sku)).map((m) => [m.type, m.quantity, m.incoming])).toEqual([
      ["expected", 10, 10],
      ["expected", 2, 12],
      ["received", 5, 7],
      ["received", 9, 0],
    ]);
    const closed = await api("DELETE", `/v1/products/${sku}/incoming/PO-7`);
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe("conflict");
  });

  it("is cancelled for what it has not received, and ?at= tells the incoming of any instant", async () => {
    const sku = uniqueSku("INC");
    await incoming(sku, "PO-1", { quantity: 6, expected_at: SOON });
    await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 2, incoming_id: "PO-1" } });
    const before = (await stockOf(sku)).updated_at;
    await new Promise((r) => setTimeout(r, 5));
    const cancelled = await api("DELETE", `/v1/products/${sku}/incoming/PO-1`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", received: 2 });
    expect((await ledger(sku)).at(-1)).toMatchObject({ type: "expected_cancelled", quantity: 4, incoming: 0 });
    expect((await api("DELETE", `/v1/products/${sku}/incoming/PO-1`)).status).toBe(200);
    expect((await api("GET", `/v1/products/${sku}?at=${before}`)).body).toMatchObject({ incoming: 4, on_hand: 2 });

    await incoming(sku, "PO-2", { quantity: 3, expected_at: "2027-01-01T00:00:00.000Z" });
    const open = await api("GET", `/v1/products/${sku}/incoming?status=open`);
    expect(open.body.items.map((i: any) => i.id)).toEqual(["PO-2"]);
    const all = await api("GET", `/v1/products/${sku}/incoming`);
    expect(all.body.items.map((i: any) => i.id)).toEqual(["PO-2", "PO-1"]);
  });

  it("refuses what it cannot do with clear answers, changing nothing", async () => {
    const sku = uniqueSku("INC");
    await receive(sku, 1);
    expect((await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1, incoming_id: "NOPE" } })).status).toBe(404);
    expect((await api("GET", `/v1/products/${sku}/incoming/NOPE`)).status).toBe(404);
    expect((await api("DELETE", `/v1/products/${sku}/incoming/NOPE`)).status).toBe(404);
    for (const bad of [{ quantity: 0, expected_at: SOON }, { quantity: 2 }, { quantity: 2, expected_at: "soon" }, { quantity: 2, expected_at: SOON, colour: 1 }]) {
      expect((await incoming(sku, "PO-1", bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const unknownPlace = await incoming(sku, "PO-1", { quantity: 2, expected_at: SOON, location: uniqueSku("NOWHERE") });
    expect(unknownPlace.status).toBe(400);
    expect(unknownPlace.body.error.details.issues[0].path).toBe("location");
    await incoming(sku, "PO-1", { quantity: 5, expected_at: SOON });
    await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 3, incoming_id: "PO-1" } });
    const below = await incoming(sku, "PO-1", { quantity: 2, expected_at: SOON });
    expect(below.status).toBe(409);
    expect((await stockOf(sku)).version).toBe(3);
  });

  it("reaches the read model: moves with their incoming, and the daily report counts them", async () => {
    const sku = uniqueSku("INC");
    await incoming(sku, "PO-1", { quantity: 6, expected_at: SOON });
    await api("DELETE", `/v1/products/${sku}/incoming/PO-1`);
    await productStub(sku).flush();
    const moves = await api("GET", `/v1/moves?sku=${sku}`);
    expect(moves.body.moves.map((m: any) => [m.type, m.incoming_id, m.incoming])).toEqual([
      ["expected", "PO-1", 6],
      ["expected_cancelled", "PO-1", 0],
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const report = await api("GET", `/v1/reports/daily?sku=${sku}&from=${today}&to=${today}`);
    expect(report.body.days[0]).toMatchObject({ expected: 6, expected_cancelled: 6, on_hand_end: 0 });
  });
});

describe("preorders", () => {
  it("let carts take incoming units too, down to −(incoming + backorder_limit)", async () => {
    const sku = uniqueSku("PRE");
    await receive(sku, 1);
    await incoming(sku, "PO-1", { quantity: 4, expected_at: SOON });
    expect((await putReservation(`cart:${sku}`, [{ sku, quantity: 2 }])).status).toBe(409);
    await settings(sku, { preorder: true });
    expect((await stockOf(sku)).available_to_promise).toBe(5);
    expect((await putReservation(`cart:${sku}`, [{ sku, quantity: 5 }])).status).toBe(201);
    expect(await stockOf(sku)).toMatchObject({ available: -4, incoming: 4, available_to_promise: 0 });
    expect((await putReservation(`cart2:${sku}`, [{ sku, quantity: 1 }])).status).toBe(409);
    // The goods arrive: the SKU is whole again.
    await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 4, incoming_id: "PO-1" } });
    expect(await stockOf(sku)).toMatchObject({ on_hand: 5, available: 0, incoming: 0 });
  });
});

describe("over RPC", () => {
  it("incoming, settings and short listings answer as over HTTP, with the error object on bad input", async () => {
    const sku = uniqueSku("RPC");
    const service = exports.InventoryService;
    const put = await service.putIncoming(sku, "PO-1", { quantity: 3, expected_at: SOON });
    expect(put).toMatchObject({ ok: true, created: true, value: { id: "PO-1", sku, quantity: 3, status: "open" } });
    expect(await service.listIncoming(sku, { status: "open" })).toMatchObject({ ok: true, value: { items: [{ id: "PO-1" }] } });
    expect(await service.putSettings(sku, { backorder_limit: 2 })).toMatchObject({ ok: true, value: { backorder_limit: 2 } });
    expect(await service.getIncoming(sku, "PO-2")).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await service.putIncoming(sku, "PO-2", { quantity: -1, expected_at: SOON })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    expect(await service.cancelIncoming(sku, "PO-1")).toMatchObject({ ok: true, value: { status: "cancelled" } });
    expect(await service.listStock({ short: true, prefix: sku })).toMatchObject({ ok: true, value: { items: [] } });
  });
});
