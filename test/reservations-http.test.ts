// PUT, GET, DELETE and commit of reservations over HTTP: all or nothing, only differences move.
import { describe, expect, it } from "vitest";
import {
  api,
  heldByLedger,
  ledger,
  putReservation,
  READ_TOKEN,
  receive,
  stockOf,
  uniqueSku,
} from "./helpers";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An order line's totals by location when its units were all at `default`, freshly committed. */
const allAtDefault = (committed: number) => ({ location: "default", committed, fulfilled: 0, cancelled: 0, returned: 0 });

async function stocked(...quantities: number[]) {
  const skus = quantities.map(() => uniqueSku("R"));
  for (const [i, sku] of skus.entries()) await receive(sku, quantities[i]!);
  return skus;
}

describe("PUT /v1/reservations/:id", () => {
  it("creates a reservation: 201, every line held, reserved moves carry the reservation id", async () => {
    const [a, b] = await stocked(5, 5);
    const id = uniqueSku("cart");
    const before = Date.now();
    const res = await putReservation(id, [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 1 },
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id,
      holder: "shopper-1",
      status: "active",
      lines: [
        { sku: a, quantity: 2, allocations: [{ location: "default", quantity: 2 }] },
        { sku: b, quantity: 1, allocations: [{ location: "default", quantity: 1 }] },
      ],
      expires_at: expect.stringMatching(ISO_MS),
      order_id: null,
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
    });
    // A PUT without ttl_seconds holds for 900 s.
    const ttl = Date.parse(res.body.expires_at) - Date.parse(res.body.created_at);
    expect(ttl).toBe(900_000);
    expect(Date.parse(res.body.created_at)).toBeGreaterThanOrEqual(before - 1000);

    expect(await stockOf(a!)).toMatchObject({ on_hand: 5, reserved: 2, available: 3 });
    const moves = await ledger(a!);
    expect(moves.at(-1)).toMatchObject({ type: "reserved", quantity: 2, reservation_id: id, order_id: null });
    expect((await api("GET", `/v1/reservations/${id}`)).body).toEqual(res.body);
  });

  it("replaces lines by moving only the difference, with released reason updated; 200", async () => {
    const [a, b, c] = await stocked(10, 10, 10);
    const id = uniqueSku("cart");
    await putReservation(id, [
      { sku: a!, quantity: 3 },
      { sku: b!, quantity: 3 },
    ]);
    const res = await putReservation(id, [
      { sku: a!, quantity: 5 },
      { sku: c!, quantity: 1 },
    ], { ttl_seconds: 60 });
    expect(res.status).toBe(200);
    expect(res.body.lines).toEqual([
      { sku: a, quantity: 5, allocations: [{ location: "default", quantity: 5 }] },
      { sku: c, quantity: 1, allocations: [{ location: "default", quantity: 1 }] },
    ]);
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.updated_at)).toBe(60_000);

    expect((await ledger(a!)).slice(1).map((m) => [m.type, m.quantity])).toEqual([
      ["reserved", 3],
      ["reserved", 2],
    ]);
    expect((await ledger(b!)).at(-1)).toMatchObject({ type: "released", quantity: 3, reason: "updated" });
    expect((await stockOf(b!)).reserved).toBe(0);
    expect((await stockOf(c!)).reserved).toBe(1);
  });

  it("holding the same lines again appends nothing: a cart never counts twice", async () => {
    const [a] = await stocked(4);
    const id = uniqueSku("cart");
    const lines = [{ sku: a!, quantity: 2 }];
    await putReservation(id, lines);
    for (let i = 0; i < 3; i++) expect((await putReservation(id, lines)).status).toBe(200);
    expect(await ledger(a!)).toHaveLength(2);
    expect((await stockOf(a!)).reserved).toBe(2);
  });

  it("refuses a new reservation with 409 listing every short SKU; nothing is held and GET is 404", async () => {
    const [a, b, c] = await stocked(5, 1, 2);
    const id = uniqueSku("cart");
    const res = await putReservation(id, [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 3 },
      { sku: c!, quantity: 4 },
    ]);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("insufficient_stock");
    expect(res.body.error.details.shortfalls).toEqual(
      expect.arrayContaining([
        { sku: b, requested: 3, available: 1 },
        { sku: c, requested: 4, available: 2 },
      ]),
    );
    expect(res.body.error.details.shortfalls).toHaveLength(2);
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);

    // The line that could be held was held and then compensated: net zero, explained in the ledger.
    expect(await stockOf(a!)).toMatchObject({ reserved: 0, available: 5 });
    const compensation = (await ledger(a!)).slice(1).map((m) => [m.type, m.quantity, m.reason]);
    expect(compensation).toEqual([
      ["reserved", 2, null],
      ["released", 2, "rolled_back"],
    ]);
    for (const sku of [a!, b!, c!]) expect(await heldByLedger(sku, id)).toBe(0);
  });

  it("keeps an existing reservation's lines and expiry when a replacement is refused", async () => {
    const [a, b] = await stocked(5, 2);
    const id = uniqueSku("cart");
    const first = await putReservation(id, [
      { sku: a!, quantity: 1 },
      { sku: b!, quantity: 1 },
    ]);
    const refused = await putReservation(id, [
      { sku: a!, quantity: 4 },
      { sku: b!, quantity: 3 },
    ], { ttl_seconds: 30 });
    expect(refused.status).toBe(409);
    // What the reservation already holds of b counts as available to it.
    expect(refused.body.error.details.shortfalls).toEqual([{ sku: b, requested: 3, available: 2 }]);

    const after = await api("GET", `/v1/reservations/${id}`);
    expect(after.body).toEqual(first.body);
    expect(await stockOf(a!)).toMatchObject({ reserved: 1 });
    expect(await stockOf(b!)).toMatchObject({ reserved: 1 });
    expect(await heldByLedger(a!, id)).toBe(1);
  });

  it("reopens a released reservation with 200", async () => {
    const [a] = await stocked(3);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a!, quantity: 2 }]);
    await api("DELETE", `/v1/reservations/${id}`);
    const res = await putReservation(id, [{ sku: a!, quantity: 3 }]);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("active");
    expect(await stockOf(a!)).toMatchObject({ reserved: 3, available: 0 });
  });

  it("refuses to change a committed reservation: 409 reservation_not_active with its status", async () => {
    const [a] = await stocked(3);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a!, quantity: 1 }]);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: uniqueSku("order") } });
    const res = await putReservation(id, [{ sku: a!, quantity: 2 }]);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "reservation_not_active", details: { status: "committed" } });
    const del = await api("DELETE", `/v1/reservations/${id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.details.status).toBe("committed");
  });

  const invalid: Array<[string, unknown]> = [
    ["no lines", { holder: "h", lines: [] }],
    ["101 lines", { holder: "h", lines: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) }],
    ["duplicate skus", { holder: "h", lines: [{ sku: "A", quantity: 1 }, { sku: "A", quantity: 2 }] }],
    ["ttl 0", { holder: "h", lines: [{ sku: "A", quantity: 1 }], ttl_seconds: 0 }],
    ["ttl over a week", { holder: "h", lines: [{ sku: "A", quantity: 1 }], ttl_seconds: 604_801 }],
    ["empty holder", { holder: "", lines: [{ sku: "A", quantity: 1 }] }],
    ["holder over 128", { holder: "h".repeat(129), lines: [{ sku: "A", quantity: 1 }] }],
    ["no holder", { lines: [{ sku: "A", quantity: 1 }] }],
    ["unknown line field", { holder: "h", lines: [{ sku: "A", quantity: 1, price: 3 }] }],
    ["zero quantity", { holder: "h", lines: [{ sku: "A", quantity: 0 }] }],
  ];
  it.each(invalid)("rejects %s with 400 and creates nothing", async (_name, body) => {
    const id = uniqueSku("cart");
    const res = await api("PUT", `/v1/reservations/${id}`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect((await api("GET", `/v1/reservations/${id}`)).status).toBe(404);
  });

  it("rejects a bad reservation id and a read token", async () => {
    const lines = [{ sku: "A", quantity: 1 }];
    expect((await api("PUT", "/v1/reservations/-bad", { body: { holder: "h", lines } })).status).toBe(400);
    const id = uniqueSku("cart");
    const res = await api("PUT", `/v1/reservations/${id}`, { token: READ_TOKEN, body: { holder: "h", lines } });
    expect(res.status).toBe(403);
  });
});

describe("DELETE /v1/reservations/:id", () => {
  it("releases every line with reason cancelled; a second DELETE answers 200 as is", async () => {
    const [a, b] = await stocked(4, 4);
    const id = uniqueSku("cart");
    await putReservation(id, [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 4 },
    ]);
    const res = await api("DELETE", `/v1/reservations/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "released" });
    expect((await ledger(b!)).at(-1)).toMatchObject({ type: "released", quantity: 4, reason: "cancelled" });
    expect(await stockOf(a!)).toMatchObject({ reserved: 0, available: 4 });

    const again = await api("DELETE", `/v1/reservations/${id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await ledger(b!)).toHaveLength(3);
  });

  it("answers 404 for an unknown reservation", async () => {
    expect((await api("DELETE", `/v1/reservations/${uniqueSku("none")}`)).status).toBe(404);
    expect((await api("GET", `/v1/reservations/${uniqueSku("none")}`)).status).toBe(404);
  });
});

describe("POST /v1/reservations/:id/commit", () => {
  it("turns every line from reserved to committed and creates the order", async () => {
    const [a, b] = await stocked(5, 5);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 3 },
    ]);
    const res = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "committed", order_id: orderId });
    expect(await stockOf(a!)).toMatchObject({ on_hand: 5, reserved: 0, committed: 2, available: 3 });
    expect((await ledger(b!)).at(-1)).toMatchObject({
      type: "committed",
      quantity: 3,
      reservation_id: id,
      order_id: orderId,
      reserved: 0,
      committed: 3,
    });
    const order = await api("GET", `/v1/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(order.body).toEqual({
      order_id: orderId,
      reservation_id: id,
      lines: [
        { sku: a, committed: 2, fulfilled: 0, cancelled: 0, returned: 0, allocations: [allAtDefault(2)] },
        { sku: b, committed: 3, fulfilled: 0, cancelled: 0, returned: 0, allocations: [allAtDefault(3)] },
      ].sort((x, y) => (x.sku! < y.sku! ? -1 : 1)),
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
    });
  });

  it("answers the same result for the same order id, and 409 idempotency_conflict for another", async () => {
    const [a] = await stocked(5);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku: a!, quantity: 2 }]);
    const first = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    const again = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: orderId } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: uniqueSku("order") } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    expect(await stockOf(a!)).toMatchObject({ committed: 2 });
    expect((await ledger(a!)).filter((m) => m.type === "committed")).toHaveLength(1);
  });

  it("refuses an order id that belongs to another reservation, and changes nothing", async () => {
    const [a] = await stocked(5);
    const first = uniqueSku("cart");
    const second = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(first, [{ sku: a!, quantity: 1 }]);
    await putReservation(second, [{ sku: a!, quantity: 1 }]);
    await api("POST", `/v1/reservations/${first}/commit`, { body: { order_id: orderId } });
    const res = await api("POST", `/v1/reservations/${second}/commit`, { body: { order_id: orderId } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_conflict");
    expect((await api("GET", `/v1/reservations/${second}`)).body.status).toBe("active");
    expect(await stockOf(a!)).toMatchObject({ reserved: 1, committed: 1 });
    // The second reservation can still check out under its own order id.
    const own = await api("POST", `/v1/reservations/${second}/commit`, { body: { order_id: uniqueSku("order") } });
    expect(own.status).toBe(200);
  });

  it("answers 409 reservation_not_active for a released reservation", async () => {
    const [a] = await stocked(5);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a!, quantity: 1 }]);
    await api("DELETE", `/v1/reservations/${id}`);
    const res = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: uniqueSku("order") } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "reservation_not_active", details: { status: "released" } });
    expect((await stockOf(a!)).committed).toBe(0);
  });

  it("replays under an Idempotency-Key and refuses the key with another body", async () => {
    const [a] = await stocked(5);
    const id = uniqueSku("cart");
    const orderId = uniqueSku("order");
    await putReservation(id, [{ sku: a!, quantity: 1 }]);
    const headers = { "idempotency-key": "pay-1" };
    const first = await api("POST", `/v1/reservations/${id}/commit`, { headers, body: { order_id: orderId } });
    const again = await api("POST", `/v1/reservations/${id}/commit`, { headers, body: { order_id: orderId } });
    expect(again.body).toEqual(first.body);
    const changed = await api("POST", `/v1/reservations/${id}/commit`, { headers, body: { order_id: "other" } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("idempotency_conflict");
  });

  it("answers 404 for an unknown reservation and 400 for a bad order id", async () => {
    const id = uniqueSku("none");
    expect((await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: "o-1" } })).status).toBe(404);
    expect((await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: "" } })).status).toBe(400);
    expect((await api("POST", `/v1/reservations/${id}/commit`, { body: {} })).status).toBe(400);
  });
});
