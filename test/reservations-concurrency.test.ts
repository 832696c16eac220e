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
