// (v1.2) Bundles over HTTP and RPC: definitions, availability, carts that hold each component once, orders
// that fulfil, cancel and return a bundle line as its components, and definitions changing under them.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetRegistry } from "../src/locations";
import { ADMIN_TOKEN, api, heldByProduct, orderStub, putReservation, receive, uniqueSku } from "./helpers";

const define = (sku: string, components: Array<{ sku: string; quantity: number }>) =>
  api("PUT", `/v1/bundles/${sku}`, { body: { components } });
const stockOf = async (sku: string) => (await api("GET", `/v1/products/${sku}`)).body;

/** A kit of two mugs and one tray, and a set of one mug and one coaster, both made of stocked SKUs. */
async function shop(mugs: number, trays = 10, coasters = 10) {
  const mug = uniqueSku("MUG");
  const tray = uniqueSku("TRAY");
  const coaster = uniqueSku("COASTER");
  await receive(mug, mugs);
  await receive(tray, trays);
  await receive(coaster, coasters);
  const kit = uniqueSku("KIT");
  const set = uniqueSku("SET");
  expect((await define(kit, [{ sku: mug, quantity: 2 }, { sku: tray, quantity: 1 }])).status).toBe(201);
  expect((await define(set, [{ sku: mug, quantity: 1 }, { sku: coaster, quantity: 1 }])).status).toBe(201);
  return { mug, tray, coaster, kit, set };
}

describe("bundle definitions", () => {
  it("are created, read, replaced and deleted; a bundle's product answer is what its components make", async () => {
    const { mug, tray, kit } = await shop(7, 2);
    const got = await api("GET", `/v1/bundles/${kit}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ sku: kit, components: [{ sku: mug, quantity: 2 }, { sku: tray, quantity: 1 }] });
    // floor(7 / 2) = 3 kits of mugs, but only 2 trays.
    expect(await stockOf(kit)).toEqual({ sku: kit, bundle: true, components: got.body.components, available: 2 });

    const replaced = await define(kit, [{ sku: mug, quantity: 3 }]);
    expect(replaced.status).toBe(200);
    expect((await stockOf(kit)).available).toBe(2);

    expect((await api("DELETE", `/v1/bundles/${kit}`)).status).toBe(200);
    expect((await api("GET", `/v1/bundles/${kit}`)).status).toBe(404);
    expect((await api("DELETE", `/v1/bundles/${kit}`)).status).toBe(404);
    // A plain SKU again, with no moves: it may take stock now.
    expect((await api("GET", `/v1/products/${kit}`)).status).toBe(404);
    expect((await api("POST", `/v1/products/${kit}/receive`, { body: { quantity: 1 } })).status).toBe(201);
  });

  it("refuses a SKU that has moves (409 conflict), nesting, and a bundle of itself; bad bodies are 400", async () => {
    const { mug, kit } = await shop(4);
    const moved = await define(mug, [{ sku: uniqueSku("X"), quantity: 1 }]);
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe("conflict");
    expect((await api("GET", `/v1/bundles/${mug}`)).status).toBe(404);

    const nested = await define(uniqueSku("BOX"), [{ sku: kit, quantity: 1 }]);
    expect(nested.status).toBe(409);
    expect(nested.body.error.message).toContain("is a bundle");
    const inner = await define(mug, [{ sku: uniqueSku("Y"), quantity: 1 }]);
    expect(inner.status).toBe(409);
    const self = uniqueSku("SELF");
    expect((await define(self, [{ sku: self, quantity: 1 }])).status).toBe(409);

    for (const components of [[], [{ sku: mug, quantity: 0 }], [{ sku: mug, quantity: 1 }, { sku: mug, quantity: 2 }]]) {
      const bad = await define(uniqueSku("BAD"), components);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("invalid_request");
    }
    const many = Array.from({ length: 21 }, (_, i) => ({ sku: `${mug}-${i}`, quantity: 1 }));
    expect((await define(uniqueSku("BIG"), many)).status).toBe(400);
  });

  it("keeps a bundle free of stock: receive, adjust, count and transfer are refused with 409 conflict", async () => {
    const { kit } = await shop(4);
    for (const [path, body] of [
      ["receive", { quantity: 1 }],
      ["adjust", { delta: 1, reason: "found" }],
      ["count", { on_hand: 3 }],
    ] as const) {
      const refused = await api("POST", `/v1/products/${kit}/${path}`, { body });
      expect(refused.status, path).toBe(409);
      expect(refused.body.error.code).toBe("conflict");
    }
    const counts = await api("POST", "/v1/counts", { body: { lines: [{ sku: kit, on_hand: 2 }] } });
    expect(counts.body.results[0]).toMatchObject({ sku: kit, ok: false, error: { code: "conflict" } });
  });

  it("lists a bundle in the read model's ?sku= with the same number as its product answer", async () => {
    const { mug, kit, set } = await shop(5, 1, 9);
    const listed = async () => (await api("GET", `/v1/stock?sku=${kit},${set},${mug}`)).body.items;
    let items: any[] = [];
    for (let i = 0; i < 100 && !(items.length === 3 && items.find((s) => s.sku === mug)?.available === 5); i++) items = await listed();
    expect(items.map((s) => s.sku)).toEqual([kit, mug, set].sort());
    expect(items.find((s) => s.sku === kit)).toMatchObject({ bundle: true, available: (await stockOf(kit)).available });
    expect(items.find((s) => s.sku === set)).toMatchObject({ bundle: true, available: (await stockOf(set)).available });
    expect((await api("GET", `/v1/stock?sku=${kit}&in_stock=false`)).body.items).toEqual([]);
  });
});

describe("a cart with bundles holds each component once", () => {
  it("is granted exactly when the shared component covers every line, and refused whole naming it", async () => {
    // kit needs 2 mugs, set 1 mug, the plain line 1 mug: 4 in all.
    const { mug, tray, coaster, kit, set } = await shop(3);
    const lines = [{ sku: kit, quantity: 1 }, { sku: set, quantity: 1 }, { sku: mug, quantity: 1 }];
    const refused = await putReservation(`cart:${kit}`, lines);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.shortfalls).toEqual([{ sku: mug, requested: 4, available: 3 }]);
    for (const sku of [mug, tray, coaster]) expect((await stockOf(sku)).reserved).toBe(0);

    await receive(mug, 1);
    const granted = await putReservation(`cart:${kit}`, lines);
    expect(granted.status).toBe(201);
    expect(await heldByProduct(mug, `cart:${kit}`)).toBe(4);
    expect(await heldByProduct(tray, `cart:${kit}`)).toBe(1);
    expect(await heldByProduct(coaster, `cart:${kit}`)).toBe(1);
    const kitLine = granted.body.lines.find((l: any) => l.sku === kit);
    expect(kitLine).toEqual({
      sku: kit,
      quantity: 1,
      allocations: [],
      components: [
        { sku: mug, quantity: 2, allocations: [{ location: "default", quantity: 2 }] },
        { sku: tray, quantity: 1, allocations: [{ location: "default", quantity: 1 }] },
      ],
    });
    expect(granted.body.lines.find((l: any) => l.sku === mug).allocations).toEqual([{ location: "default", quantity: 1 }]);
    expect((await stockOf(kit)).available).toBe(0);
  });

  it("moves only each component's difference when a PUT changes the mix", async () => {
    const { mug, tray, coaster, kit, set } = await shop(20);
    const id = `mix:${kit}`;
    expect((await putReservation(id, [{ sku: kit, quantity: 2 }, { sku: mug, quantity: 1 }])).status).toBe(201);
    expect(await heldByProduct(mug, id)).toBe(5);
    const before = (await api("GET", `/v1/products/${mug}/moves`)).body.moves.length;
    // 2 kits + 1 mug (5 mugs) becomes 1 kit + 3 sets (5 mugs): the mug's hold is unchanged.
    const changed = await putReservation(id, [{ sku: kit, quantity: 1 }, { sku: set, quantity: 3 }]);
    expect(changed.status).toBe(200);
    expect(await heldByProduct(mug, id)).toBe(5);
    expect((await api("GET", `/v1/products/${mug}/moves`)).body.moves.length).toBe(before);
    expect(await heldByProduct(tray, id)).toBe(1);
    expect(await heldByProduct(coaster, id)).toBe(3);
    expect((await api("DELETE", `/v1/reservations/${id}`)).status).toBe(200);
    for (const sku of [mug, tray, coaster]) expect((await stockOf(sku)).reserved).toBe(0);
  });

  it("refuses lines that hold one SKU at two places (400), and holds a bundle at the location its line names", async () => {
    const { mug, kit } = await shop(10);
    const split = await putReservation(`split:${kit}`, [{ sku: kit, quantity: 1, location: "default" }, { sku: mug, quantity: 1 }]);
    expect(split.status).toBe(400);
    expect(split.body.error.code).toBe("invalid_request");
    const placed = await putReservation(`placed:${kit}`, [{ sku: kit, quantity: 1, location: "default" }]);
    expect(placed.status).toBe(201);
    expect(placed.body.lines[0]).toMatchObject({ sku: kit, location: "default" });
  });
});

describe("a bundle's components over locations", () => {
  it("are allocated like any line: whole from one location when one covers it, else split in priority order", async () => {
    const [near, far] = [uniqueSku("NEAR"), uniqueSku("FAR")];
    await api("PUT", `/v1/locations/${near}`, { token: ADMIN_TOKEN, body: { name: "Near", priority: 1 } });
    await api("PUT", `/v1/locations/${far}`, { token: ADMIN_TOKEN, body: { name: "Far", priority: 2 } });
    forgetRegistry();
    const [mug, tray] = [uniqueSku("LMUG"), uniqueSku("LTRAY")];
    for (const [sku, place, quantity] of [[mug, near, 3], [mug, far, 3], [tray, far, 2]] as const) {
      await api("POST", `/v1/products/${sku}/receive`, { body: { quantity, location: place } });
    }
    const kit = uniqueSku("LKIT");
    await define(kit, [{ sku: mug, quantity: 2 }, { sku: tray, quantity: 1 }]);
    const held = await putReservation(`loc:${kit}`, [{ sku: kit, quantity: 2 }]);
    expect(held.status).toBe(201);
    expect(held.body.lines[0].components).toEqual([
      { sku: mug, quantity: 2, allocations: [{ location: near, quantity: 3 }, { location: far, quantity: 1 }] },
      { sku: tray, quantity: 1, allocations: [{ location: far, quantity: 2 }] },
    ]);
    const mugs = await stockOf(mug);
    expect(mugs.locations.map((l: any) => [l.location, l.available])).toEqual(
      [[near, 0], [far, 2]].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
  });
});

describe("orders keep their bundle lines", () => {
  it("fulfil, cancel and return a bundle line as its components, and keep the components across a definition change", async () => {
    const { mug, tray, kit } = await shop(10);
    const id = `order-cart:${kit}`;
    const order = `order:${kit}`;
    expect((await putReservation(id, [{ sku: kit, quantity: 3 }, { sku: mug, quantity: 1 }])).status).toBe(201);
    // The definition changes after the cart: the order keeps 2 mugs and 1 tray per kit.
    expect((await define(kit, [{ sku: tray, quantity: 4 }])).status).toBe(200);
    const committed = await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: order } });
    expect(committed.status).toBe(200);
    const opened = (await api("GET", `/v1/orders/${order}`)).body;
    expect(opened.lines.map((l: any) => [l.sku, l.committed, l.components ?? null])).toEqual(
      [
        [kit, 3, [{ sku: mug, quantity: 2 }, { sku: tray, quantity: 1 }]],
        [mug, 1, null],
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
    expect((await stockOf(mug)).committed).toBe(7);
    expect((await stockOf(tray)).committed).toBe(3);

    const fulfilled = await api("POST", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku: kit, quantity: 2 }] } });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body.lines.find((l: any) => l.sku === kit)).toMatchObject({ committed: 3, fulfilled: 2 });
    expect(fulfilled.body.lines.find((l: any) => l.sku === mug)).toMatchObject({ committed: 1, fulfilled: 0 });
    expect(await stockOf(mug)).toMatchObject({ on_hand: 6, committed: 3 });
    expect(await stockOf(tray)).toMatchObject({ on_hand: 8, committed: 1 });

    // The component is not a line of its own beyond its plain unit.
    const over = await api("POST", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku: mug, quantity: 2 }] } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("quantity_exceeds_order");
    const tooMany = await api("POST", `/v1/orders/${order}/cancel`, { body: { lines: [{ sku: kit, quantity: 2 }] } });
    expect(tooMany.status).toBe(409);

    const cancelled = await api("POST", `/v1/orders/${order}/cancel`, { body: {} });
    expect(cancelled.status).toBe(200);
    expect(await stockOf(mug)).toMatchObject({ on_hand: 6, committed: 0, available: 6 });
    expect(await stockOf(tray)).toMatchObject({ on_hand: 8, committed: 0 });

    const returned = await api("POST", `/v1/orders/${order}/return`, { body: { lines: [{ sku: kit, quantity: 1 }] } });
    expect(returned.status).toBe(200);
    expect(returned.body.lines.find((l: any) => l.sku === kit)).toMatchObject({ fulfilled: 2, cancelled: 1, returned: 1 });
    expect(await stockOf(mug)).toMatchObject({ on_hand: 8 });
    expect(await stockOf(tray)).toMatchObject({ on_hand: 9 });
  });

  it("is found in the listings by the bundle's SKU and by a component's", async () => {
    const { tray, kit } = await shop(10);
    const id = `listed:${kit}`;
    expect((await putReservation(id, [{ sku: kit, quantity: 1 }])).status).toBe(201);
    await api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: `listed-order:${kit}` } });
    await orderStub(`listed-order:${kit}`).flushListing();
    for (const sku of [kit, tray]) {
      const orders = (await api("GET", `/v1/orders?sku=${sku}`)).body.items;
      expect(orders.map((o: any) => o.order_id), sku).toEqual([`listed-order:${kit}`]);
    }
  });
});

describe("bundles over RPC", () => {
  it("define, read and hold the same way", async () => {
    const service = exports.InventoryService;
    const mug = uniqueSku("RPCMUG");
    await receive(mug, 6);
    const kit = uniqueSku("RPCKIT");
    const put = await service.putBundle(kit, { components: [{ sku: mug, quantity: 3 }] });
    expect(put).toMatchObject({ ok: true, created: true, value: { sku: kit } });
    expect(await service.getBundle(kit)).toMatchObject({ ok: true, value: { components: [{ sku: mug, quantity: 3 }] } });
    expect(await service.getProduct(kit)).toMatchObject({ ok: true, value: { bundle: true, available: 2 } });
    const held = await service.putReservation(`rpc:${kit}`, { holder: "h", lines: [{ sku: kit, quantity: 2 }] });
    expect(held.ok).toBe(true);
    expect(await heldByProduct(mug, `rpc:${kit}`)).toBe(6);
    expect(await service.putBundle(mug, { components: [{ sku: kit, quantity: 1 }] })).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await service.putBundle(kit, { components: [] })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
  });
});
