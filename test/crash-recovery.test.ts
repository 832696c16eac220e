// Objects aborted in the middle of a reservation change, a commit or an order action. Each test stalls one
// object the coordinator calls (its input gate held by blockConcurrencyWhile), so the abort lands in a
// known phase; then the alarms run, and nothing may be half-applied.
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Peers } from "../durable-objects/shared/calls";
import { forgetRegistry } from "../src/locations";
import {
  api,
  capturingConsole,
  heldByLedger,
  ledger,
  interpose,
  heldByProduct,
  orderStub,
  productStub,
  putReservation,
  receive,
  reservationStub,
  sleep,
  stockOf,
  uniqueSku,
} from "./helpers";

type Stub = DurableObjectStub;

/** Holds `stub`'s input gate for a while, once `ready` says so: calls to it wait. */
function stall(stub: Stub, ready: (sql: SqlStorage) => boolean = () => true): Promise<unknown> {
  return runInDurableObject(stub, async (_instance: unknown, state: DurableObjectState) => {
    while (!ready(state.storage.sql)) await sleep(1);
    await state.blockConcurrencyWhile(() => sleep(2_000));
  }).catch(() => undefined);
}

/**
 * Runs `call` while `stalled` holds an object, aborts every object mid-call, then lets the alarm recover.
 * The interrupted request is logged by the Worker, and answered with a fixed message; both are checked.
 */
async function interrupt(call: () => Promise<unknown>, stalled: Promise<unknown>, recoverWith: Stub) {
  const { result: answer, lines } = await capturingConsole("error", async () => {
    const running = call().catch(() => undefined);
    await sleep(100);
    await abortAllDurableObjects();
    const [answered] = await Promise.all([running, stalled]);
    return answered as { status: number; body: unknown } | undefined;
  });
  expect(lines).toEqual([expect.stringMatching(/^error on (PUT|POST|DELETE) \/v1\/.*abortAllDurableObjects/)]);
  expect(answer).toMatchObject({ status: 500, body: { error: { code: "internal", message: "internal error" } } });
  for (let i = 0; i < 5; i++) if (!(await runDurableObjectAlarm(recoverWith))) break;
}

async function expectHoldsMatchReservation(id: string, skus: string[]) {
  const res = await api("GET", `/v1/reservations/${id}`);
  const active = res.status === 200 && res.body.status === "active";
  for (const sku of skus) {
    const line = res.status === 200 ? res.body.lines.find((l: any) => l.sku === sku) : undefined;
    const expected = active ? (line?.quantity ?? 0) : 0;
    expect(await heldByProduct(sku, id), `${sku} held by product`).toBe(expected);
    expect(await heldByLedger(sku, id), `${sku} held by ledger`).toBe(expected);
    expect((await stockOf(sku)).available).toBeGreaterThanOrEqual(0);
  }
  return res;
}

/** The reservation's call asking `stuck` to commit never returns: every hold is pinned by then. */
function commitNeverReturns(reservationId: string, stuck: string) {
  return interpose(reservationId, (real) => ({
    order: real.order,
    product: (sku) =>
      new Proxy(real.product(sku), {
        get: (target, key) => (key === "commit" && sku === stuck ? () => new Promise(() => undefined) : Reflect.get(target, key)),
      }),
  }));
}

async function stockedSkus(n: number, quantity = 5) {
  const skus = Array.from({ length: n }, () => uniqueSku("CR"));
  for (const sku of skus) await receive(sku, quantity);
  return skus;
}

describe("a reservation PUT interrupted", () => {
  it("while growing lines is rolled back to the previous lines", async () => {
    const [a, b, c] = await stockedSkus(3);
    const id = uniqueSku("cart");
    const before = await putReservation(id, [{ sku: a!, quantity: 2 }]);
    await interrupt(
      () =>
        putReservation(id, [
          { sku: a!, quantity: 1 },
          { sku: b!, quantity: 3 },
          { sku: c!, quantity: 2 },
        ]),
      stall(productStub(c!)),
      reservationStub(id),
    );
    const res = await expectHoldsMatchReservation(id, [a!, b!, c!]);
    expect(res.body).toEqual(before.body);
    expect(await heldByProduct(b!, id)).toBe(0);
  });

  it("a new reservation interrupted while growing leaves no reservation and no hold", async () => {
    const [a, b] = await stockedSkus(2);
    const id = uniqueSku("cart");
    await interrupt(
      () => putReservation(id, [{ sku: a!, quantity: 2 }, { sku: b!, quantity: 2 }]),
      stall(productStub(b!)),
      reservationStub(id),
    );
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);
    await expectHoldsMatchReservation(id, [a!, b!]);
  });

  it("after every growth was granted is finished forwards to the new lines", async () => {
    const [a, b] = await stockedSkus(2);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a!, quantity: 4 }]);
    // Growth of b succeeds; the release of a's surplus is the step that stalls.
    await interrupt(
      () => putReservation(id, [{ sku: a!, quantity: 1 }, { sku: b!, quantity: 2 }]),
      stall(productStub(a!)),
      reservationStub(id),
    );
    const res = await expectHoldsMatchReservation(id, [a!, b!]);
    expect(res.body.lines).toEqual([
      { sku: a, quantity: 1, allocations: [{ location: "default", quantity: 1 }] },
      { sku: b, quantity: 2, allocations: [{ location: "default", quantity: 2 }] },
    ]);
  });
});

describe("(v1.2) a cart split over locations, interrupted", () => {
  /** Each location's balances of `sku`, as its ledger adds them up, and as its object says. */
  async function locationsAgree(sku: string) {
    const folded = new Map<string, number>();
    for (const m of await ledger(sku)) {
      const d = m.type === "reserved" ? m.quantity : m.type === "released" || m.type === "committed" ? -m.quantity : 0;
      folded.set(m.location, (folded.get(m.location) ?? 0) + d);
    }
    const stock = (await stockOf(sku)) as any;
    for (const l of stock.locations) {
      expect(l.reserved, l.location).toBe(folded.get(l.location) ?? 0);
      expect(l.available, l.location).toBeGreaterThanOrEqual(0);
    }
    return stock;
  }

  it("while growing is rolled back whole: no location keeps a unit, none is doubled", async () => {
    const [a, b] = [uniqueSku("CRL"), uniqueSku("CRL")];
    const places: string[] = [];
    for (const [name, priority] of [["Near", 1], ["Far", 2]] as const) {
      const id = uniqueSku(name);
      await api("PUT", `/v1/locations/${id}`, { token: "test-admin-token", body: { name, priority } });
      places.push(id);
    }
    forgetRegistry();
    for (const place of places) await api("POST", `/v1/products/${a}/receive`, { body: { quantity: 2, location: place } });
    await receive(b, 5);
    const id = uniqueSku("cart");
    await interrupt(
      // a is split over both locations (no one covers 3); b's object is the one stalled when the abort lands.
      () => putReservation(id, [{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }]),
      stall(productStub(b)),
      reservationStub(id),
    );
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);
    await expectHoldsMatchReservation(id, [a, b]);
    const stock = await locationsAgree(a);
    expect(stock).toMatchObject({ on_hand: 4, reserved: 0, available: 4 });
  });

  it("after its growth was granted is finished forwards, each unit where the product says", async () => {
    const a = uniqueSku("CRL");
    const [near, far] = [uniqueSku("Near"), uniqueSku("Far")];
    await api("PUT", `/v1/locations/${near}`, { token: "test-admin-token", body: { name: "Near", priority: 1 } });
    await api("PUT", `/v1/locations/${far}`, { token: "test-admin-token", body: { name: "Far", priority: 2 } });
    forgetRegistry();
    await api("POST", `/v1/products/${a}/receive`, { body: { quantity: 2, location: near } });
    await api("POST", `/v1/products/${a}/receive`, { body: { quantity: 2, location: far } });
    const [b] = await stockedSkus(1);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: b!, quantity: 4 }]);
    await interrupt(
      () => putReservation(id, [{ sku: a, quantity: 3 }, { sku: b!, quantity: 1 }]),
      stall(productStub(b!)),
      reservationStub(id),
    );
    const res = await expectHoldsMatchReservation(id, [a, b!]);
    expect(res.body.lines.find((l: any) => l.sku === a).allocations).toEqual([
      { location: near, quantity: 2 },
      { location: far, quantity: 1 },
    ]);
    await locationsAgree(a);
  });
});

describe("a DELETE interrupted", () => {
  it("is finished by the alarm: every line released", async () => {
    const [a, b] = await stockedSkus(2);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a!, quantity: 1 }, { sku: b!, quantity: 1 }]);
    await interrupt(() => api("DELETE", `/v1/reservations/${id}`), stall(productStub(b!)), reservationStub(id));
    const res = await expectHoldsMatchReservation(id, [a!, b!]);
    expect(res.body.status).toBe("released");
  });
});

describe("a commit interrupted", () => {
  async function activeCart() {
    const [a, b] = await stockedSkus(2);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 1 },
    ]);
    const commit = () => api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    return { a: a!, b: b!, id, orderId, commit };
  }

  async function expectRolledBack({ a, b, id, orderId, commit }: Awaited<ReturnType<typeof activeCart>>) {
    const res = await expectHoldsMatchReservation(id, [a, b]);
    expect(res.body.status).toBe("active");
    expect((await api("GET", `/v1/orders/${orderId}`)).status).toBe(404);
    for (const sku of [a, b]) expect((await stockOf(sku)).committed).toBe(0);
    // The holds' own deadlines apply again, and the same checkout can be retried.
    expect((await productStub(a).getHold(id))?.pinned_order_id).toBeNull();
    expect((await commit()).status).toBe(200);
  }

  it("while claiming the order id is rolled back and can be retried", async () => {
    const cart = await activeCart();
    await interrupt(cart.commit, stall(orderStub(cart.orderId)), reservationStub(cart.id));
    await expectRolledBack(cart);
  });

  it("while pinning the holds is rolled back and can be retried", async () => {
    const cart = await activeCart();
    await interrupt(cart.commit, stall(productStub(cart.b)), reservationStub(cart.id));
    await expectRolledBack(cart);
  });

  it("after every hold was pinned is finished forwards: all lines committed and the order open", async () => {
    const cart = await activeCart();
    // Every hold is pinned by the time the coordinator asks a product to commit: that call to `b` never
    // returns, so the abort lands in the commit phase.
    await commitNeverReturns(cart.id, cart.b);
    await interrupt(cart.commit, Promise.resolve(), reservationStub(cart.id));

    const res = await expectHoldsMatchReservation(cart.id, [cart.a, cart.b]);
    expect(res.body).toMatchObject({ status: "committed", order_id: cart.orderId });
    expect(await stockOf(cart.a)).toMatchObject({ reserved: 0, committed: 2 });
    expect(await stockOf(cart.b)).toMatchObject({ reserved: 0, committed: 1 });
    expect((await api("GET", `/v1/orders/${cart.orderId}`)).status).toBe(200);
  });
});

describe("(v1.2) a bundle cart's commit interrupted", () => {
  /** 2 kits (2 a + 1 b each) and 1 a on its own line: 5 a and 2 b held, one hold per SKU. */
  async function bundleCart() {
    const [a, b] = await stockedSkus(2, 10);
    const kit = uniqueSku("CRKIT");
    expect((await api("PUT", `/v1/bundles/${kit}`, { body: { components: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }] } })).status).toBe(201);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    expect((await putReservation(id, [{ sku: kit, quantity: 2 }, { sku: a!, quantity: 1 }])).status).toBe(201);
    const commit = () => api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    return { a: a!, b: b!, kit, id, orderId, commit };
  }

  it("while pinning the holds is rolled back whole, and the same checkout then commits", async () => {
    const cart = await bundleCart();
    await interrupt(cart.commit, stall(productStub(cart.b)), reservationStub(cart.id));
    expect((await api("GET", `/v1/reservations/${cart.id}`)).body.status).toBe("active");
    expect(await heldByLedger(cart.a, cart.id)).toBe(5);
    expect(await heldByLedger(cart.b, cart.id)).toBe(2);
    for (const sku of [cart.a, cart.b]) expect((await stockOf(sku)).committed).toBe(0);
    expect((await api("GET", `/v1/orders/${cart.orderId}`)).status).toBe(404);
    expect((await cart.commit()).status).toBe(200);
    expect(await stockOf(cart.a)).toMatchObject({ reserved: 0, committed: 5, available: 5 });
  });

  it("after every hold was pinned is finished forwards: the order keeps its bundle line, no unit lost or doubled", async () => {
    const cart = await bundleCart();
    await commitNeverReturns(cart.id, cart.b);
    await interrupt(cart.commit, Promise.resolve(), reservationStub(cart.id));

    expect((await api("GET", `/v1/reservations/${cart.id}`)).body).toMatchObject({ status: "committed", order_id: cart.orderId });
    expect(await stockOf(cart.a)).toMatchObject({ on_hand: 10, reserved: 0, committed: 5, available: 5 });
    expect(await stockOf(cart.b)).toMatchObject({ on_hand: 10, reserved: 0, committed: 2, available: 8 });
    const order = (await api("GET", `/v1/orders/${cart.orderId}`)).body;
    expect(order.lines.map((l: any) => [l.sku, l.committed])).toEqual(
      [[cart.kit, 2], [cart.a, 1]].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
    );
    expect((await api("POST", `/v1/orders/${cart.orderId}/fulfil`, { body: { lines: [{ sku: cart.kit, quantity: 2 }] } })).status).toBe(200);
    expect(await stockOf(cart.a)).toMatchObject({ on_hand: 6, committed: 1 });
    expect(await stockOf(cart.b)).toMatchObject({ on_hand: 8, committed: 0 });
  });
});

describe("an order action interrupted", () => {
  it("reaches every product after the alarm", async () => {
    const [a, b] = await stockedSkus(2);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku: a!, quantity: 3 }, { sku: b!, quantity: 2 }]);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });

    // (v1.2) The order reads each shelf before it records a fulfil; then its totals reach `a`, and the call
    // that sends them to `b` never returns, so the abort lands between the two products.
    await runInDurableObject(orderStub(orderId), (instance: unknown) => {
      const order = instance as { peers: Peers };
      const real = order.peers;
      order.peers = {
        ...real,
        product: (sku: string) =>
          new Proxy(real.product(sku), {
            get: (target, key) =>
              key === "applyOrderTotals" && sku === b ? () => new Promise(() => undefined) : Reflect.get(target, key),
          }),
      };
    });
    await interrupt(() => api("POST", `/v1/orders/${orderId}/fulfil`), Promise.resolve(), orderStub(orderId));
    const order = (await api("GET", `/v1/orders/${orderId}`)).body;
    expect(order.lines.map((l: any) => l.fulfilled)).toEqual(order.lines.map((l: any) => l.committed));
    expect(await stockOf(a!)).toMatchObject({ on_hand: 2, committed: 0 });
    expect(await stockOf(b!)).toMatchObject({ on_hand: 3, committed: 0 });
  });
});

describe("objects evicted between calls", () => {
  it("keep reservations and orders whole", async () => {
    const [sku] = await stockedSkus(1);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku: sku!, quantity: 2 }]);
    await evictDurableObject(reservationStub(id));
    expect((await api("GET", `/v1/reservations/${id}`)).body.status).toBe("active");
    expect((await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } })).status).toBe(200);
    await evictDurableObject(orderStub(orderId));
    await evictDurableObject(reservationStub(id));
    expect((await api("POST", `/v1/orders/${orderId}/fulfil`)).status).toBe(200);
    expect(await stockOf(sku!)).toMatchObject({ on_hand: 3, reserved: 0, committed: 0 });
  });
});
