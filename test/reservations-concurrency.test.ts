// Many reservations at once on shared SKUs: never oversold, every refusal changes nothing.
import { describe, expect, it } from "vitest";
import { api, heldByLedger, heldByProduct, ledger, putReservation, receive, stockOf, uniqueSku } from "./helpers";

describe("concurrent reservations", () => {
  it("grants exactly 100 of 500 concurrent single-unit holds on a SKU with 100 units", async () => {
    const sku = uniqueSku("HOT");
    await receive(sku, 100);
    const ids = Array.from({ length: 500 }, () => uniqueSku("cart"));
    const results = await Promise.all(ids.map((id) => putReservation(id, [{ sku, quantity: 1 }])));

    const granted = results.filter((r) => r.status === 201);
    expect(granted).toHaveLength(100);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.details.shortfalls).toEqual([{ sku, requested: 1, available: 0 }]);
    }
    expect(await stockOf(sku)).toMatchObject({ on_hand: 100, reserved: 100, available: 0, version: 101 });
    const moves = await ledger(sku);
    expect(moves.filter((m) => m.type === "reserved")).toHaveLength(100);
    expect(moves.map((m) => m.seq)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    expect(moves.every((m) => m.available >= 0)).toBe(true);
  });

  it("keeps every SKU exact under 200 concurrent 3-line carts over overlapping SKUs", async () => {
    const skus = Array.from({ length: 8 }, () => uniqueSku("SHARED"));
    for (const sku of skus) await receive(sku, 40);
    const carts = Array.from({ length: 200 }, (_, i) => {
      const picked = [skus[i % 8]!, skus[(i * 3 + 1) % 8]!, skus[(i * 5 + 2) % 8]!];
      const distinct = [...new Set(picked)];
      while (distinct.length < 3) distinct.push(skus.find((s) => !distinct.includes(s))!);
      return { id: uniqueSku("cart"), lines: distinct.map((sku, j) => ({ sku, quantity: 1 + ((i + j) % 3) })) };
    });
    const results = await Promise.all(carts.map((c) => putReservation(c.id, c.lines)));

    const grantedCarts = carts.filter((_, i) => results[i]!.status === 201);
    const refusedCarts = carts.filter((_, i) => results[i]!.status === 409);
    expect(grantedCarts.length + refusedCarts.length).toBe(200);
    expect(grantedCarts.length).toBeGreaterThan(0);
    expect(refusedCarts.length).toBeGreaterThan(0);

    for (const sku of skus) {
      const expected = grantedCarts.flatMap((c) => c.lines).filter((l) => l.sku === sku);
      const stock = await stockOf(sku);
      expect(stock.reserved).toBe(expected.reduce((n, l) => n + l.quantity, 0));
      expect(stock.available).toBeGreaterThanOrEqual(0);
      expect((await ledger(sku)).every((m) => m.available >= 0)).toBe(true);
    }
    for (const cart of refusedCarts.slice(0, 40)) {
      expect((await api("GET", `/v1/reservations/${cart.id}`)).status).toBe(404);
      for (const line of cart.lines) expect(await heldByLedger(line.sku, cart.id)).toBe(0);
    }
  });

  it("(v1.2) sells 3 bundles sharing 2 components to 200 concurrent carts exactly to the unit", async () => {
    const [a, b] = [uniqueSku("PART-A"), uniqueSku("PART-B")];
    await receive(a, 150);
    await receive(b, 100);
    const kits = [uniqueSku("KIT1"), uniqueSku("KIT2"), uniqueSku("KIT3")];
    const made = [
      [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }],
      [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }],
      [{ sku: a, quantity: 1 }, { sku: b, quantity: 2 }],
    ];
    for (const [i, kit] of kits.entries()) {
      expect((await api("PUT", `/v1/bundles/${kit}`, { body: { components: made[i] } })).status).toBe(201);
    }
    // Each cart: one or two kits, and now and then a loose part beside them.
    const carts = Array.from({ length: 200 }, (_, i) => {
      const lines = [{ sku: kits[i % 3]!, quantity: 1 + (i % 2) }];
      if (i % 4 === 0) lines.push({ sku: kits[(i + 1) % 3]!, quantity: 1 });
      if (i % 5 === 0) lines.push({ sku: a, quantity: 1 });
      return { id: uniqueSku("kitcart"), lines };
    });
    const results = await Promise.all(carts.map((c) => putReservation(c.id, c.lines)));

    const granted = carts.filter((_, i) => results[i]!.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(granted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(409);
      for (const s of r.body.error.details.shortfalls) {
        expect([a, b]).toContain(s.sku);
        expect(s.requested).toBeGreaterThan(s.available);
      }
    }
    const units = (sku: string) =>
      granted
        .flatMap((c) => c.lines)
        .reduce((n, l) => {
          const kit = kits.indexOf(l.sku);
          const per = kit < 0 ? (l.sku === sku ? 1 : 0) : made[kit]!.find((c) => c.sku === sku)!.quantity;
          return n + per * l.quantity;
        }, 0);
    for (const sku of [a, b]) {
      const stock = await stockOf(sku);
      expect(stock.reserved, sku).toBe(units(sku));
      expect(stock.available, sku).toBeGreaterThanOrEqual(0);
      expect((await ledger(sku)).every((m) => m.available >= 0)).toBe(true);
    }
    for (const c of carts.filter((_, i) => results[i]!.status !== 201).slice(0, 20)) {
      for (const sku of [a, b]) expect(await heldByLedger(sku, c.id)).toBe(0);
    }
  });

  it("leaves product holds equal to the reservation after concurrent PUT, DELETE and commit on it", async () => {
    const [a, b, c] = [uniqueSku("MIX"), uniqueSku("MIX"), uniqueSku("MIX")];
    for (const sku of [a, b, c]) await receive(sku, 50);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku: a, quantity: 1 }]);
    const calls = Array.from({ length: 60 }, (_, i) => {
      if (i % 10 === 9) return api("POST", `/v1/reservations/${id}/commit`, { body: { order_id: `${id}-order` } });
      if (i % 7 === 0) return api("DELETE", `/v1/reservations/${id}`);
      return putReservation(id, [
        { sku: a, quantity: 1 + (i % 4) },
        ...(i % 2 ? [{ sku: b, quantity: 1 + (i % 3) }] : [{ sku: c, quantity: 2 }]),
      ]);
    });
    await Promise.all(calls);

    const reservation = (await api("GET", `/v1/reservations/${id}`)).body;
    for (const sku of [a, b, c]) {
      const line = reservation.lines.find((l: any) => l.sku === sku);
      const held = reservation.status === "active" ? (line?.quantity ?? 0) : 0;
      expect(await heldByProduct(sku, id)).toBe(held);
      expect(await heldByLedger(sku, id)).toBe(held);
      const stock = await stockOf(sku);
      const committed = reservation.status === "committed" ? (line?.quantity ?? 0) : 0;
      expect(stock).toMatchObject({ reserved: held, committed });
    }
  });
});
