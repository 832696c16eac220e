// The example checkout Worker against a real stockwell, bound as an auxiliary Worker in the vitest
// config: reserve a cart, pay, abandon, and the last unit going to exactly one shopper.
import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const checkout = (path: string, method: string, body?: unknown) =>
  exports.default
    .fetch(`https://checkout.test${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: r.status === 204 ? null : await r.json<any>() }));

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;

async function stock(sku: string, quantity: number) {
  const received = await env.INVENTORY.receive(sku, { quantity });
  expect(received.ok).toBe(true);
}

async function available(sku: string) {
  const result = await env.INVENTORY.getProduct(sku);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.available;
}

describe("example checkout Worker", () => {
  it("reserves a cart, then commits it into an order on payment", async () => {
    const sku = unique("MUG");
    await stock(sku, 3);
    const cart = unique("c");
    const reserved = await checkout(`/carts/${cart}`, "PUT", { customer: "ada", items: [{ sku, quantity: 2 }] });
    expect(reserved.status).toBe(200);
    expect(reserved.body.items).toEqual([{ sku, quantity: 2 }]);
    expect(await available(sku)).toBe(1);

    const paid = await checkout(`/carts/${cart}/pay`, "POST", { payment_id: `pay-${cart}` });
    expect(paid).toEqual({ status: 200, body: { order_id: `order-pay-${cart}`, status: "paid" } });
    // The payment provider retries its webhook: same answer, nothing committed twice.
    expect(await checkout(`/carts/${cart}/pay`, "POST", { payment_id: `pay-${cart}` })).toEqual(paid);
    const product = await env.INVENTORY.getProduct(sku);
    expect(product).toMatchObject({ ok: true, value: { reserved: 0, committed: 2, available: 1 } });
  });

  it("releases an abandoned cart", async () => {
    const sku = unique("HAT");
    await stock(sku, 2);
    const cart = unique("c");
    await checkout(`/carts/${cart}`, "PUT", { customer: "bo", items: [{ sku, quantity: 2 }] });
    expect(await available(sku)).toBe(0);
    expect((await checkout(`/carts/${cart}`, "DELETE")).status).toBe(204);
    expect(await available(sku)).toBe(2);
    const late = await checkout(`/carts/${cart}/pay`, "POST", { payment_id: `pay-${cart}` });
    expect(late).toEqual({ status: 409, body: { error: "cart_expired", refund: `pay-${cart}` } });
  });

  it("sells the last unit to exactly one of many shoppers", async () => {
    const sku = unique("LAST");
    await stock(sku, 1);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        checkout(`/carts/${unique(`c${i}`)}`, "PUT", { customer: `s${i}`, items: [{ sku, quantity: 1 }] }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r).toEqual({ status: 409, body: { error: "sold_out", items: [{ sku, requested: 1, available: 0 }] } });
    }
  });
});

describe("example checkout Worker, by hand", () => {
  it("answers bad JSON with a 400 that carries no stack trace", async () => {
    for (const [path, method] of [["/carts/c-bad", "PUT"], ["/carts/c-bad/pay", "POST"]] as const) {
      const res = await exports.default.fetch(`https://checkout.test${path}`, { method, body: "{not json" });
      const text = await res.text();
      expect(res.status, path).toBe(400);
      expect(JSON.parse(text)).toEqual({ error: "invalid_json", message: "the body must be a JSON object" });
      expect(text).not.toMatch(/\bat .*\.(ts|js)/);
    }
  });

  it("passes /stockwell/* through to stockwell's HTTP API, whose own tokens still apply", async () => {
    const sku = unique("PASS");
    const received = await exports.default.fetch(`https://checkout.test/stockwell/v1/products/${sku}/receive`, {
      method: "POST",
      headers: { authorization: "Bearer example-write-token" },
      body: JSON.stringify({ quantity: 4 }),
    });
    expect(received.status).toBe(201);
    expect(await available(sku)).toBe(4);
    const anonymous = await exports.default.fetch(`https://checkout.test/stockwell/v1/products/${sku}`);
    expect(anonymous.status).toBe(401);
  });
});
