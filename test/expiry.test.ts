// Reservations expire at expires_at by alarm, with no request needed; product holds have their own
// fallback deadline for a coordinator that never comes back.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  api,
  heldByProduct,
  ledger,
  productStub,
  putReservation,
  receive,
  reservationStub,
  passDeadline,
  sleep,
  stockOf,
  uniqueSku,
} from "./helpers";

async function shortReservation(quantity: number, ttl = 1) {
  const sku = uniqueSku("EXP");
  await receive(sku, 5);
  const id = uniqueSku("cart");
  const res = await putReservation(id, [{ sku, quantity }], { ttl_seconds: ttl });
  expect(res.status).toBe(201);
  return { sku, id, expiresAt: Date.parse(res.body.expires_at) };
}

describe("reservation expiry", () => {
  it("releases the lines with reason expired when the alarm runs after expires_at", async () => {
    const { sku, id, expiresAt } = await shortReservation(3);
    passDeadline(expiresAt);
    // Past expires_at no read shows it active, even before the alarm has run.
    expect((await api("GET", `/v1/reservations/${id}`)).body.status).toBe("expired");

    await runDurableObjectAlarm(reservationStub(id));
    expect((await api("GET", `/v1/reservations/${id}`)).body.status).toBe("expired");
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
    expect((await ledger(sku)).at(-1)).toMatchObject({
      type: "released",
      quantity: 3,
      reason: "expired",
      reservation_id: id,
    });
  });

  it("expires in real time with no request at all", async () => {
    const { sku, id } = await shortReservation(2);
    const started = Date.now();
    while ((await stockOf(sku)).reserved !== 0) {
      if (Date.now() - started > 5_000) throw new Error("the reservation did not expire within 5 s");
      await sleep(100);
    }
    expect((await api("GET", `/v1/reservations/${id}`)).body.status).toBe("expired");
    expect((await ledger(sku)).at(-1)).toMatchObject({ type: "released", reason: "expired" });
  });

  it("answers commit after expires_at with 409 reservation_not_active", async () => {
    const { sku, id, expiresAt } = await shortReservation(1);
    passDeadline(expiresAt);
    const res = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: uniqueSku("order") } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "reservation_not_active", details: { status: "expired" } });
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, committed: 0 });
  });

  it("reopens an expired reservation with a PUT", async () => {
    const { sku, id, expiresAt } = await shortReservation(2);
    passDeadline(expiresAt);
    const res = await putReservation(id, [{ sku, quantity: 4 }]);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("active");
    expect(await stockOf(sku)).toMatchObject({ reserved: 4 });
    const reasons = (await ledger(sku)).map((m) => [m.type, m.quantity, m.reason]);
    expect(reasons.slice(-2)).toEqual([
      ["released", 2, "expired"],
      ["reserved", 4, null],
    ]);
  });
});

describe("product-side hold deadlines", () => {
  it("release a hold whose coordinator never returns, as expired", async () => {
    const sku = uniqueSku("ORPHAN");
    await receive(sku, 5);
    const product = productStub(sku);
    const deadline = Date.now() + 300;
    const hold = await product.hold(sku, "orphan-cart", 2, deadline, "updated", "test");
    expect(hold.ok).toBe(true);
    expect((await stockOf(sku)).reserved).toBe(2);

    passDeadline(deadline);
    await runDurableObjectAlarm(product);
    expect(await heldByProduct(sku, "orphan-cart")).toBe(0);
    expect((await ledger(sku)).at(-1)).toMatchObject({ type: "released", quantity: 2, reason: "expired" });
  });

  it("never release a hold pinned by a commit in progress", async () => {
    const sku = uniqueSku("PINNED");
    await receive(sku, 5);
    const product = productStub(sku);
    const deadline = Date.now() + 300;
    await product.hold(sku, "paying-cart", 2, deadline, "updated", "test");
    expect((await product.prepareCommit(sku, "paying-cart", "order-x", 2)).ok).toBe(true);

    passDeadline(deadline);
    await runDurableObjectAlarm(product);
    expect(await heldByProduct(sku, "paying-cart")).toBe(2);
    expect((await product.commit(sku, "paying-cart", "order-x", "test")).ok).toBe(true);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, committed: 2 });
  });
});
