// Contract v1.1: GET /v1/reservations and GET /v1/orders, from the copies each coordinator keeps in D1
// through its own outbox. Newest first, filtered, paged by an opaque cursor.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { advanceClock } from "../durable-objects/shared/clock";
import { api, capturingConsole, orderStub, passDeadline, putReservation, receive, reservationStub, uniqueSku } from "./helpers";

/** Each step a millisecond apart at least, so "newest first" has one answer. */
const tick = () => advanceClock(2);

/** Every item the listing answers for `query`, following its pages two at a time. */
async function listed(path: string, query: string): Promise<any[]> {
  const found: any[] = [];
  let after: string | null = null;
  do {
    const res: any = await api("GET", `${path}?${query}&limit=2${after ? `&after=${after}` : ""}`);
    expect(res.status, query).toBe(200);
    found.push(...res.body.items);
    after = res.body.next_after;
  } while (after);
  return found;
}

const settled = async (...ids: string[]) => Promise.all(ids.map((id) => reservationStub(id).flushListing()));

describe("GET /v1/reservations", () => {
  it("lists by holder, status and SKU, newest first, as each reservation changes", async () => {
    const holder = uniqueSku("holder");
    const [mug, tee] = [uniqueSku("MUG"), uniqueSku("TEE")];
    await receive(mug, 10);
    await receive(tee, 10);
    const [a, b, c] = [uniqueSku("cart"), uniqueSku("cart"), uniqueSku("cart")];
    await putReservation(a, [{ sku: mug, quantity: 1 }], { holder });
    tick();
    await putReservation(b, [{ sku: mug, quantity: 2 }, { sku: tee, quantity: 1 }], { holder });
    tick();
    await putReservation(c, [{ sku: tee, quantity: 3 }], { holder });
    tick();
    await api("DELETE", `/v1/reservations/${a}`);
    await settled(a, b, c);

    const all = await listed("/v1/reservations", `holder=${holder}`);
    expect(all.map((r) => r.id)).toEqual([a, c, b]); // a changed last
    expect(all[0]).toMatchObject({ id: a, holder, status: "released", lines: [{ sku: mug, quantity: 1 }] });
    expect(all[1]).toEqual((await api("GET", `/v1/reservations/${c}`)).body);

    expect((await listed("/v1/reservations", `holder=${holder}&status=active`)).map((r) => r.id)).toEqual([c, b]);
    expect((await listed("/v1/reservations", `sku=${tee}`)).map((r) => r.id)).toEqual([c, b]);
    // b drops the mug: it leaves the mug's listing.
    await putReservation(b, [{ sku: tee, quantity: 1 }], { holder });
    await settled(b);
    expect((await listed("/v1/reservations", `sku=${mug}`)).map((r) => r.id)).toEqual([a]);
  });

  it("shows a reservation past expires_at as expired at once, and stores it so when its alarm runs", async () => {
    const sku = uniqueSku("EXP");
    await receive(sku, 5);
    const id = uniqueSku("cart");
    const res = await putReservation(id, [{ sku, quantity: 1 }], { ttl_seconds: 1 });
    await settled(id);
    passDeadline(Date.parse(res.body.expires_at));
    expect((await listed("/v1/reservations", `sku=${sku}`))[0]).toMatchObject({ id, status: "expired" });
    expect(await listed("/v1/reservations", `sku=${sku}&status=active`)).toEqual([]);
    await runDurableObjectAlarm(reservationStub(id));
    await settled(id);
    expect((await listed("/v1/reservations", `sku=${sku}&status=expired`)).map((r) => r.id)).toEqual([id]);
  });

  it("reaches D1 from the object's own alarm, with no one asking", async () => {
    const sku = uniqueSku("ALARM");
    await receive(sku, 2);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku, quantity: 1 }]);
    expect(await listed("/v1/reservations", `sku=${sku}`)).toEqual([]);
    await runDurableObjectAlarm(reservationStub(id));
    expect((await listed("/v1/reservations", `sku=${sku}`)).map((r) => r.id)).toEqual([id]);
  });

  it("retries a copy D1 refused, with backoff, after an eviction too, and lists it once D1 is back", async () => {
    const sku = uniqueSku("DOWN");
    await receive(sku, 2);
    const id = uniqueSku("cart");
    await env.DB.prepare("ALTER TABLE reservations RENAME TO reservations_offline").run();
    let warnings: string[];
    try {
      await putReservation(id, [{ sku, quantity: 1 }]);
      ({ lines: warnings } = await capturingConsole("warn", () => runDurableObjectAlarm(reservationStub(id))));
    } finally {
      await env.DB.prepare("ALTER TABLE reservations_offline RENAME TO reservations").run();
    }
    expect(warnings.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ event: "listing_retry", attempt: 1, retry_in_ms: 500 })]);
    await evictDurableObject(reservationStub(id));
    expect(await runDurableObjectAlarm(reservationStub(id))).toBe(true);
    expect((await listed("/v1/reservations", `sku=${sku}`)).map((r) => r.id)).toEqual([id]);
  });

  it("copies a change made while an earlier copy is on its way to D1, and needs one revision for changes between copies", async () => {
    const sku = uniqueSku("RACE");
    await receive(sku, 10);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku, quantity: 1 }]);
    // The next copy waits in D1's doorway until the test lets it through.
    let letThrough!: () => void;
    const doorway = new Promise<void>((resolve) => (letThrough = resolve));
    let arrived!: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    await runInDurableObject(reservationStub(id), (instance: unknown) => {
      const listing = (instance as { listing: { db: () => D1Database } }).listing;
      const d1 = listing.db;
      listing.db = () => {
        const db = d1();
        return new Proxy(db, {
          get: (target, name) =>
            name === "batch"
              ? async (statements: D1PreparedStatement[]) => {
                  arrived();
                  await doorway;
                  return target.batch(statements);
                }
              : Reflect.get(target, name).bind(target),
        });
      };
    });
    const copying = reservationStub(id).flushListing();
    await waiting;
    await putReservation(id, [{ sku, quantity: 2 }]);
    await putReservation(id, [{ sku, quantity: 3 }]);
    letThrough();
    await copying;
    await settled(id);
    expect((await listed("/v1/reservations", `sku=${sku}`)).map((r) => r.lines)).toEqual([
      [{ sku, quantity: 3, allocations: [{ location: "default", quantity: 3 }] }],
    ]);
    // Three changes, two revisions: the third came while the second was still waiting for its copy.
    const revision = await runInDurableObject(reservationStub(id), (_: unknown, state: DurableObjectState) =>
      state.storage.sql.exec<{ revision: number }>("SELECT revision FROM listing").one().revision,
    );
    expect(revision).toBe(2);
  });

  it("refuses a cursor it did not make and an unknown status", async () => {
    for (const [query, field] of [
      ["after=not-ours", "after"],
      ["status=lost", "status"],
    ]) {
      const res = await api("GET", `/v1/reservations?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });
});

describe("GET /v1/orders", () => {
  it("lists by reservation, SKU and whether units are outstanding", async () => {
    const [mug, tee] = [uniqueSku("MUG"), uniqueSku("TEE")];
    await receive(mug, 10);
    await receive(tee, 10);
    const [cart1, cart2] = [uniqueSku("cart"), uniqueSku("cart")];
    const [order1, order2] = [uniqueSku("order"), uniqueSku("order")];
    await putReservation(cart1, [{ sku: mug, quantity: 2 }]);
    await putReservation(cart2, [{ sku: mug, quantity: 1 }, { sku: tee, quantity: 1 }]);
    await api("POST", `/v1/reservations/${cart1}/commit`, { body: { order_id: order1 } });
    tick();
    await api("POST", `/v1/reservations/${cart2}/commit`, { body: { order_id: order2 } });
    tick();
    await api("POST", `/v1/orders/${order1}/fulfil`);
    await Promise.all([order1, order2].map((o) => orderStub(o).flushListing()));

    expect((await listed("/v1/orders", `sku=${mug}`)).map((o) => o.order_id)).toEqual([order1, order2]);
    expect((await listed("/v1/orders", `sku=${tee}`)).map((o) => o.order_id)).toEqual([order2]);
    expect(await listed("/v1/orders", `reservation_id=${cart2}`)).toEqual([(await api("GET", `/v1/orders/${order2}`)).body]);
    expect((await listed("/v1/orders", `sku=${mug}&open=true`)).map((o) => o.order_id)).toEqual([order2]);
    expect((await listed("/v1/orders", `sku=${mug}&open=false`)).map((o) => o.order_id)).toEqual([order1]);
  });

  it("is the same over RPC", async () => {
    const sku = uniqueSku("RPC");
    await receive(sku, 3);
    const cart = uniqueSku("cart");
    await putReservation(cart, [{ sku, quantity: 1 }]);
    await settled(cart);
    const page = await exports.InventoryService.listReservations({ sku });
    expect(page).toMatchObject({ ok: true, value: { items: [{ id: cart, status: "active" }], next_after: null } });
    expect(await exports.InventoryService.listOrders({ sku })).toMatchObject({ ok: true, value: { items: [] } });
  });
});
