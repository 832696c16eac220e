// The offer-acceptance recipe (README): accepting an offer holds `offer:<id>` with a long ttl, payment
// commits it, a failed hold declines the acceptance cleanly, and an offer never paid frees its unit.
// Driven through the InventoryService RPC entrypoint, as a marketplace Worker would.
import { runDurableObjectAlarm } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ledger, reservationStub, passDeadline, stockOf, uniqueSku } from "./helpers";

const inventory = exports.InventoryService;
const TWO_DAYS = 2 * 24 * 3600;

async function listing(units = 1) {
  const sku = uniqueSku("LISTING");
  await inventory.receive(sku, { quantity: units });
  return sku;
}

function acceptOffer(offerId: string, sku: string, buyer: string, ttl_seconds = TWO_DAYS) {
  return inventory.putReservation(`offer:${offerId}`, { holder: buyer, lines: [{ sku, quantity: 1 }], ttl_seconds });
}

describe("offer acceptance", () => {
  it("holds the unit for the buyer on acceptance, and payment commits it into an order", async () => {
    const sku = await listing();
    const offer = uniqueSku("o");
    const accepted = await acceptOffer(offer, sku, "buyer-7");
    expect(accepted).toMatchObject({ ok: true, created: true, value: { id: `offer:${offer}`, status: "active" } });
    if (!accepted.ok) return;
    expect(Date.parse(accepted.value.expires_at) - Date.parse(accepted.value.created_at)).toBe(TWO_DAYS * 1000);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1, available: 0 });

    const paid = await inventory.commitReservation(
      `offer:${offer}`,
      { order_id: `order-${offer}` },
      { idempotencyKey: `payment-${offer}` },
    );
    expect(paid).toMatchObject({ ok: true, value: { status: "committed", order_id: `order-${offer}` } });
    // A payment webhook delivered twice changes nothing.
    expect(
      await inventory.commitReservation(`offer:${offer}`, { order_id: `order-${offer}` }, { idempotencyKey: `payment-${offer}` }),
    ).toEqual(paid);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, committed: 1 });
    expect(await inventory.getOrder(`order-${offer}`)).toMatchObject({
      ok: true,
      value: { reservation_id: `offer:${offer}`, lines: [{ sku, committed: 1, fulfilled: 0 }] },
    });
  });

  it("declines a second acceptance of the last unit cleanly: no reservation, nothing held", async () => {
    const sku = await listing();
    const first = uniqueSku("o");
    const second = uniqueSku("o");
    expect((await acceptOffer(first, sku, "buyer-1")).ok).toBe(true);

    const declined = await acceptOffer(second, sku, "buyer-2");
    expect(declined).toEqual({
      ok: false,
      error: {
        code: "insufficient_stock",
        message: expect.any(String),
        details: { shortfalls: [{ sku, requested: 1, available: 0 }] },
      },
    });
    expect(await inventory.getReservation(`offer:${second}`)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("frees the unit when the offer is never paid, by expiry alone", async () => {
    const sku = await listing();
    const offer = uniqueSku("o");
    const accepted = await acceptOffer(offer, sku, "buyer-3", 1);
    expect(accepted.ok).toBe(true);
    if (accepted.ok) passDeadline(Date.parse(accepted.value.expires_at));
    await runDurableObjectAlarm(reservationStub(`offer:${offer}`));

    expect(await inventory.getReservation(`offer:${offer}`)).toMatchObject({ ok: true, value: { status: "expired" } });
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 1 });
    expect((await ledger(sku)).at(-1)).toMatchObject({ type: "released", reason: "expired" });
    const late = await inventory.commitReservation(`offer:${offer}`, { order_id: `order-${offer}` });
    expect(late).toMatchObject({ ok: false, error: { code: "reservation_not_active", details: { status: "expired" } } });
    // The freed unit can go to the next buyer.
    expect((await acceptOffer(uniqueSku("o"), sku, "buyer-4")).ok).toBe(true);
  });

  it("lets the seller withdraw an accepted offer", async () => {
    const sku = await listing();
    const offer = uniqueSku("o");
    await acceptOffer(offer, sku, "buyer-5");
    expect(await inventory.deleteReservation(`offer:${offer}`)).toMatchObject({ ok: true, value: { status: "released" } });
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 1 });
  });
});

describe("InventoryService order methods", () => {
  it("fulfil, cancel and return mirror the HTTP endpoints", async () => {
    const sku = await listing(5);
    const id = uniqueSku("cart");
    await inventory.putReservation(id, { holder: "h", lines: [{ sku, quantity: 4 }] });
    await inventory.commitReservation(id, { order_id: `${id}-o` });
    expect(await inventory.fulfilOrder(`${id}-o`, { lines: [{ sku, quantity: 2 }] })).toMatchObject({
      ok: true,
      value: { lines: [{ sku, committed: 4, fulfilled: 2 }] },
    });
    expect(await inventory.cancelOrder(`${id}-o`)).toMatchObject({ ok: true, value: { lines: [{ cancelled: 2 }] } });
    expect(await inventory.returnOrder(`${id}-o`, { lines: [{ sku, quantity: 3 }] })).toMatchObject({
      ok: false,
      error: { code: "quantity_exceeds_order" },
    });
    expect(await inventory.returnOrder(`${id}-o`, { lines: [{ sku, quantity: 1 }] }, { idempotencyKey: "r1" })).toMatchObject({
      ok: true,
    });
    expect(await stockOf(sku)).toMatchObject({ on_hand: 4, reserved: 0, committed: 0, available: 4 });
    expect(await inventory.fulfilOrder("no-such-order")).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await inventory.putReservation(id, { holder: "h", lines: [] })).toMatchObject({
      ok: false,
      error: { code: "invalid_request" },
    });
  });
});
