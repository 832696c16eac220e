// (v1.2) Stock where it really is: receipts, counts and transfers at locations, carts allocated over them,
// orders that fulfil and return by location, and the read model's view of each location.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetRegistry } from "../src/locations";
import { ADMIN_TOKEN, api, ledger, productStub, putReservation, stockOf, uniqueSku } from "./helpers";

/** Locations of this test's own, so other files' registry entries never change what they decide. */
async function locations(...specs: Array<[string, number, boolean?]>): Promise<[string, string, string]> {
  const ids: string[] = [];
  for (const [name, priority, active = true] of specs) {
    const id = uniqueSku(name);
    const res = await api("PUT", `/v1/locations/${id}`, { token: ADMIN_TOKEN, body: { name, priority, active } });
    expect(res.status).toBe(201);
    ids.push(id);
  }
  forgetRegistry();
  return ids as [string, string, string];
}

async function receiveAt(sku: string, quantity: number, location?: string) {
  const res = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity, ...(location ? { location } : {}) } });
  expect(res.status).toBe(201);
  return res.body;
}

const at = async (sku: string) =>
  Object.fromEntries(((await stockOf(sku)) as any).locations.map((l: any) => [l.location, [l.on_hand, l.reserved, l.committed]]));

describe("writes at a location", () => {
  it("receives, adjusts and counts at a location; Stock lists each location and sums them", async () => {
    const [east] = await locations(["East", 10]);
    const sku = uniqueSku("LOC");
    const received = await receiveAt(sku, 5, east);
    expect(received.move).toMatchObject({ location: east, to_location: null, on_hand: 5 });
    await receiveAt(sku, 2);
    const adjusted = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "damaged", location: east } });
    expect(adjusted.status).toBe(201);
    const counted = await api("POST", `/v1/products/${sku}/count`, { body: { on_hand: 7, location: east } });
    expect(counted.body.move).toMatchObject({ type: "adjusted", quantity: 3, location: east });
    const stock = await stockOf(sku);
    expect(stock).toMatchObject({ on_hand: 9, available: 9, version: 4 });
    expect((stock as any).locations).toEqual(
      [
        { location: "default", on_hand: 2, reserved: 0, committed: 0, available: 2 },
        { location: east, on_hand: 7, reserved: 0, committed: 0, available: 7 },
      ].sort((p, q) => (p.location! < q.location! ? -1 : 1)),
    );
    const bulk = await api("POST", "/v1/counts", { body: { lines: [{ sku, on_hand: 1, location: "default" }] } });
    expect(bulk.body.results[0]).toMatchObject({ ok: true, move: { location: "default", quantity: -1 } });
  });

  it("refuses a location the registry does not have, naming the field, and changes nothing", async () => {
    const sku = uniqueSku("LOC");
    await receiveAt(sku, 1);
    for (const [path, body, field] of [
      ["receive", { quantity: 1, location: "no-such-place" }, "location"],
      ["adjust", { delta: 1, reason: "x", location: "no-such-place" }, "location"],
      ["transfer", { from: "default", to: "no-such-place", quantity: 1 }, "to"],
    ] as const) {
      const res = await api("POST", `/v1/products/${sku}/${path}`, { body });
      expect(res.status, path).toBe(400);
      expect(res.body.error.details.issues).toEqual([{ path: field, message: expect.stringContaining("no-such-place") }]);
    }
    const counts = await api("POST", "/v1/counts", { body: { lines: [{ sku, on_hand: 3, location: "no-such-place" }] } });
    expect(counts.body.error.details.issues[0].path).toBe("lines.0.location");
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("transfers in one move that leaves the totals alone, and refuses past the source's available", async () => {
    const [truck] = await locations(["Truck", 500]);
    const sku = uniqueSku("XFER");
    await receiveAt(sku, 5);
    await putReservation(uniqueSku("cart"), [{ sku, quantity: 2 }]);
    const moved = await api("POST", `/v1/products/${sku}/transfer`, { body: { from: "default", to: truck, quantity: 3, ref: "PO-7" } });
    expect(moved.status).toBe(201);
    expect(moved.body.move).toMatchObject({ type: "transferred", quantity: 3, location: "default", to_location: truck, on_hand: 5, available: 3 });
    expect(await at(sku)).toEqual({ default: [2, 2, 0], [truck]: [3, 0, 0] });
    const refused = await api("POST", `/v1/products/${sku}/transfer`, { body: { from: "default", to: truck, quantity: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.shortfalls).toEqual([{ sku, requested: 1, available: 0, location: "default" }]);
    const same = await api("POST", `/v1/products/${sku}/transfer`, { body: { from: truck, to: truck, quantity: 1 } });
    expect(same.status).toBe(400);
    expect(same.body.error.details.issues[0].path).toBe("to");
    // ?at= answers the locations as they were.
    const before = await api("GET", `/v1/products/${sku}?at=${encodeURIComponent((await ledger(sku))[1].at)}`);
    expect(before.body.locations).toEqual([{ location: "default", on_hand: 5, reserved: 2, committed: 0, available: 3 }]);
  });
});

describe("carts allocated over locations", () => {
  it("takes a line whole from the first location that covers it, else splits in priority order", async () => {
    const [north, south, closed] = await locations(["North", 1], ["South", 2], ["Closed", 0, false]);
    const sku = uniqueSku("ALLOC");
    await receiveAt(sku, 2, north);
    await receiveAt(sku, 5, south);
    await receiveAt(sku, 50, closed);
    const whole = await putReservation(uniqueSku("cart"), [{ sku, quantity: 4 }]);
    expect(whole.body.lines[0].allocations).toEqual([{ location: south, quantity: 4 }]);
    const split = await putReservation(uniqueSku("cart"), [{ sku, quantity: 3 }]);
    expect(split.body.lines[0].allocations).toEqual([
      { location: north, quantity: 2 },
      { location: south, quantity: 1 },
    ]);
    // An inactive location keeps its stock and takes no allocation: nothing is left elsewhere.
    const short = await putReservation(uniqueSku("cart"), [{ sku, quantity: 1 }]);
    expect(short.status).toBe(409);
    expect(short.body.error.details.shortfalls).toEqual([{ sku, requested: 1, available: 0 }]);
    // Named, it holds there and only there.
    const named = await putReservation(uniqueSku("cart"), [{ sku, quantity: 10, location: closed }]);
    expect(named.body.lines[0]).toEqual({ sku, quantity: 10, location: closed, allocations: [{ location: closed, quantity: 10 }] });
    const over = await putReservation(uniqueSku("cart"), [{ sku, quantity: 41, location: closed }]);
    expect(over.body.error.details.shortfalls).toEqual([{ sku, requested: 41, available: 40, location: closed }]);
  });

  it("grows by the difference, shrinks the last allocation first, and GET shows what the products hold", async () => {
    const [a, b] = await locations(["A", 1], ["B", 2]);
    const sku = uniqueSku("GROW");
    await receiveAt(sku, 2, a);
    await receiveAt(sku, 9, b);
    const cart = uniqueSku("cart");
    expect((await putReservation(cart, [{ sku, quantity: 2 }])).body.lines[0].allocations).toEqual([{ location: a, quantity: 2 }]);
    const grown = await putReservation(cart, [{ sku, quantity: 5 }]);
    expect(grown.body.lines[0].allocations).toEqual([{ location: a, quantity: 2 }, { location: b, quantity: 3 }]);
    const shrunk = await putReservation(cart, [{ sku, quantity: 3 }]);
    expect(shrunk.body.lines[0].allocations).toEqual([{ location: a, quantity: 2 }, { location: b, quantity: 1 }]);
    expect((await api("GET", `/v1/reservations/${cart}`)).body.lines).toEqual(shrunk.body.lines);
    expect(await productStub(sku).heldBy(cart)).toMatchObject({ held: 3, allocations: shrunk.body.lines[0].allocations });
    // A GET's lines can be sent back as they are: where they are held is read-only.
    expect((await api("PUT", `/v1/reservations/${cart}`, { body: { holder: "h", lines: shrunk.body.lines } })).status).toBe(200);
  });

  it("never oversells a location when concurrent carts must split over several", async () => {
    const [x, y, z] = await locations(["X", 1], ["Y", 2], ["Z", 3]);
    const sku = uniqueSku("CONC");
    for (const [location, quantity] of [[x, 3], [y, 2], [z, 4]] as const) await receiveAt(sku, quantity, location);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => putReservation(uniqueSku("cart"), [{ sku, quantity: 1 + (i % 3) }])));
    const granted = results.filter((r) => r.status === 201);
    const held = granted.reduce((n, r) => n + r.body.lines[0].quantity, 0);
    expect(held).toBeLessThanOrEqual(9);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const stock = (await stockOf(sku)) as any;
    expect(stock.reserved).toBe(held);
    for (const l of stock.locations) expect(l.available, l.location).toBeGreaterThanOrEqual(0);
    // Each location's balances are what its moves add up to.
    const byLocation = new Map<string, number>();
    for (const m of await ledger(sku)) {
      if (m.type === "reserved") byLocation.set(m.location, (byLocation.get(m.location) ?? 0) + m.quantity);
    }
    for (const l of stock.locations) expect(l.reserved).toBe(byLocation.get(l.location) ?? 0);
    expect(granted.flatMap((r) => r.body.lines[0].allocations).reduce((n: number, a: any) => n + a.quantity, 0)).toBe(held);
  });
});

describe("orders by location", () => {
  it("keep their allocations; fulfil follows them or a named location; returns go back where they shipped from", async () => {
    const [a, b, store] = await locations(["A", 1], ["B", 2], ["Store", 900]);
    const sku = uniqueSku("ORD");
    // No location covers the line whole, so it is split: one at A, two at B.
    await receiveAt(sku, 1, a);
    await receiveAt(sku, 2, b);
    const cart = uniqueSku("cart");
    await putReservation(cart, [{ sku, quantity: 3 }]);
    const orderId = uniqueSku("order");
    await api("POST", `/v1/reservations/${cart}/commit`, { body: { order_id: orderId } });
    const order = await api("GET", `/v1/orders/${orderId}`);
    expect(order.body.lines[0].allocations).toEqual([
      { location: a, committed: 1, fulfilled: 0, cancelled: 0, returned: 0 },
      { location: b, committed: 2, fulfilled: 0, cancelled: 0, returned: 0 },
    ]);
    const wrong = await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku, quantity: 2, location: a }] } });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.details.lines).toEqual([{ sku, requested: 2, allowed: 1 }]);
    const atB = await api("POST", `/v1/orders/${orderId}/fulfil`, { body: { lines: [{ sku, quantity: 1, location: b }] } });
    expect(atB.body.lines[0].allocations.map((l: any) => [l.location, l.fulfilled])).toEqual([[a, 0], [b, 1]]);
    const rest = await api("POST", `/v1/orders/${orderId}/fulfil`);
    expect(rest.body.lines[0].allocations.map((l: any) => [l.location, l.fulfilled])).toEqual([[a, 1], [b, 2]]);
    const back = await api("POST", `/v1/orders/${orderId}/return`, { body: { lines: [{ sku, quantity: 2 }] } });
    expect(back.body.lines[0].allocations.map((l: any) => [l.location, l.returned])).toEqual([[a, 1], [b, 1]]);
    await api("POST", `/v1/orders/${orderId}/return`, { body: { lines: [{ sku, quantity: 1, location: store }] } });
    expect(await at(sku)).toEqual({ [a]: [1, 0, 0], [b]: [1, 0, 0], [store]: [1, 0, 0] });
    // The product's ledger agrees with the order, location by location.
    const moves = (await ledger(sku)).filter((m) => m.order_id === orderId).map((m) => [m.type, m.quantity, m.location]);
    expect(moves).toEqual([
      ["committed", 1, a], ["committed", 2, b],
      ["fulfilled", 1, b], ["fulfilled", 1, a], ["fulfilled", 1, b],
      ["returned", 1, a], ["returned", 1, b], ["returned", 1, store],
    ]);
  });
});

describe("the read model by location", () => {
  it("lists a location's rows and its moves, transfers into it included", async () => {
    const [dock] = await locations(["Dock", 50]);
    const sku = uniqueSku("RM");
    await receiveAt(sku, 4);
    await api("POST", `/v1/products/${sku}/transfer`, { body: { from: "default", to: dock, quantity: 3 } });
    await receiveAt(sku, 2, dock);
    await productStub(sku).flush();
    const rows = await api("GET", `/v1/stock?location=${dock}&sku=${sku}`);
    expect(rows.body.items).toEqual([
      { sku, location: dock, on_hand: 5, reserved: 0, committed: 0, available: 5, version: 3, updated_at: expect.any(String) },
    ]);
    const listed = await api("GET", `/v1/stock?sku=${sku}`);
    expect(listed.body.items[0].locations.map((l: any) => [l.location, l.on_hand])).toEqual(
      [["default", 1], [dock, 5]].sort((p, q) => (p[0]! < q[0]! ? -1 : 1)),
    );
    const moves = await api("GET", `/v1/moves?location=${dock}&sku=${sku}`);
    expect(moves.body.moves.map((m: any) => [m.type, m.location, m.to_location])).toEqual([
      ["transferred", "default", dock],
      ["received", dock, null],
    ]);
    const led = await api("GET", `/v1/moves?location=${dock}&limit=1000`);
    expect(led.body.moves.filter((m: any) => m.sku === sku)).toHaveLength(2);
    expect((await api("GET", `/v1/stock?location=${dock}&low=true`)).status).toBe(400);
    const report = await api("GET", `/v1/reports/daily?sku=${sku}&from=2000-01-01&to=2000-12-31`);
    expect(report.status).toBe(200);
    const { results } = await env.DB.prepare("SELECT transferred FROM daily_rollups WHERE sku = ?").bind(sku).all();
    expect(results).toEqual([{ transferred: 3 }]);
  });
});
