// Failures between objects: what a client is told (never internal text; 503 when a retry may succeed) and
// that nothing is left half-applied. A test stands between a coordinator and the objects it calls by
// replacing the coordinator's `peers` with ones that call the real objects and then fail as the platform does.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { failureOf, StepFailed } from "../durable-objects/shared/calls";
import {
  api,
  capturingConsole,
  interpose,
  restorePeers,
  type PeerWrap,
  heldByProduct,
  productStub,
  putReservation,
  receive,
  reservationStub,
  sleep,
  stockOf,
  uniqueSku,
} from "./helpers";

const transient = (message: string, flag: "retryable" | "overloaded") => Object.assign(new Error(message), { [flag]: true });

/** Peers whose product `method` throws `error` instead of answering (the call never reaches the product). */
function productThrows(method: "hold", error: Error): PeerWrap {
  return (real) => ({
    order: real.order,
    product: (sku) => new Proxy(real.product(sku), {
      get: (target, key) => (key === method ? async () => { throw error; } : Reflect.get(target, key)),
    }),
  });
}

function expectUnavailable(res: { status: number; headers: Headers; body: any }) {
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  expect(res.body.error).toMatchObject({ code: "unavailable", details: { retryable: true } });
}

describe("a commit whose order-id claim applied but whose reply was lost", () => {
  it("gives the order id back: 503, the reservation stays active, and the id can still be used", async () => {
    const sku = uniqueSku("CLAIM");
    await receive(sku, 5);
    const [first, second] = [uniqueSku("cart"), uniqueSku("cart")];
    const orderId = uniqueSku("order");
    expect((await putReservation(first, [{ sku, quantity: 2 }])).status).toBe(201);
    expect((await putReservation(second, [{ sku, quantity: 1 }])).status).toBe(201);

    await interpose(first, (real) => ({
      product: real.product,
      order: (id) =>
        new Proxy(real.order(id), {
          get: (target, key) =>
            key === "claim"
              ? async (...args: [string, string]) => {
                  await target.claim(...args);
                  throw transient("Network connection lost.", "retryable");
                }
              : Reflect.get(target, key),
        }),
    }));
    const { result: lost, lines } = await capturingConsole("error", () =>
      api("POST", `/v1/reservations/${first}/commit`, { body: { order_id: orderId } }),
    );
    expectUnavailable(lost);
    expect(lines.join("\n")).toContain("Network connection lost.");

    expect((await api("GET", `/v1/reservations/${first}`)).body.status).toBe("active");
    expect(await heldByProduct(sku, first)).toBe(2);
    expect((await api("GET", `/v1/orders/${orderId}`)).status).toBe(404);
    // The id was given back: another reservation may take it.
    const other = await api("POST", `/v1/reservations/${second}/commit`, { body: { order_id: orderId } });
    expect(other.status).toBe(200);
    expect((await api("GET", `/v1/orders/${orderId}`)).body).toMatchObject({ reservation_id: second });
    expect(await stockOf(sku)).toMatchObject({ reserved: 2, committed: 1, available: 2 });
  });
});

describe("what a client is told when another object fails", () => {
  it("never sees internal text: a product that throws makes the PUT a 500 with a fixed message and no reservation", async () => {
    const sku = uniqueSku("LEAK");
    await receive(sku, 5);
    const id = uniqueSku("cart");
    const secretPath = "/var/lib/workerd/do/3f2a9c.sqlite";
    await interpose(id, productThrows("hold", new Error(`SQLITE_IOERR: disk I/O error at ${secretPath}`)));
    const { result: res, lines } = await capturingConsole("error", () => putReservation(id, [{ sku, quantity: 1 }]));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(JSON.stringify(res.body)).not.toContain(secretPath);
    expect(lines.join("\n")).toContain(secretPath);
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("answers 503 unavailable with Retry-After when a product is overloaded, holds nothing, and a retry succeeds", async () => {
    const [a, b] = [uniqueSku("BUSY"), uniqueSku("BUSY")];
    await receive(a, 5);
    await receive(b, 5);
    const id = uniqueSku("cart");
    await interpose(id, (real) => {
      const busy = productThrows("hold", transient("Durable Object is overloaded. Too many requests queued.", "overloaded"))(real);
      return { order: real.order, product: (sku) => (sku === b ? busy.product(sku) : real.product(sku)) };
    });
    const lines = [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }];
    const { result: res } = await capturingConsole("error", () => putReservation(id, lines));
    expectUnavailable(res);
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);
    expect(await heldByProduct(a, id)).toBe(0);
    expect(await stockOf(a)).toMatchObject({ reserved: 0, available: 5 });

    await restorePeers(id);
    expect((await putReservation(id, lines)).status).toBe(201);
    expect(await stockOf(a)).toMatchObject({ reserved: 2 });
  });

  it("answers a fixed 500 when the SKU's own object is aborted mid-call, with none of the runtime's text", async () => {
    const sku = uniqueSku("RESET");
    await receive(sku, 1);
    const stalled = runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) =>
      state.blockConcurrencyWhile(() => sleep(1_000)),
    ).catch(() => undefined);
    const { result: res, lines } = await capturingConsole("error", async () => {
      const call = api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 4 } });
      await sleep(100);
      await abortAllDurableObjects();
      return call;
    });
    await stalled;
    // The test harness's abort carries none of the platform's retry flags, so this is a plain 500.
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(lines.join("\n")).toContain("abortAllDurableObjects");
    // Nothing was half-applied: the receive happened whole or not at all.
    expect([1, 5]).toContain((await stockOf(sku)).on_hand);
  });

  it("classifies thrown errors by the platform's flags: overloaded, retryable and reset are 503, others 500", () => {
    const flagged = (flags: Record<string, boolean>) => Object.assign(new Error("x"), flags);
    expect(failureOf(flagged({ overloaded: true })).error.code).toBe("unavailable");
    expect(failureOf(flagged({ retryable: true })).error.code).toBe("unavailable");
    expect(failureOf(flagged({ durableObjectReset: true })).error.code).toBe("unavailable");
    expect(failureOf(flagged({ retryable: false })).error.code).toBe("internal");
    expect(failureOf("a string").error).toEqual({ code: "internal", message: "internal error" });
    expect(failureOf(new StepFailed("releasing", "unavailable", "x")).error).toMatchObject({
      code: "unavailable",
      details: { retryable: true },
    });
    expect(failureOf(new StepFailed("releasing", "internal", "/a/path")).error.message).toBe("internal error");
  });
});
