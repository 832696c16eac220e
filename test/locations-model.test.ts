// (v1.2) Random calls over three locations of one SKU (receipts, counts that may find fewer units than are
// held, transfers, carts that name a location or not, commits, fulfils, returns, backorder and preorder
// settings, incoming units and receipts against them), checking after every step that each location's
// balances and the SKU's incoming are exactly what its moves add up to, and that no hold ever takes
// available below its policy's floor (0, −backorder_limit, or −(incoming + backorder_limit) with preorders).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evolveAt, type Balances, type MoveDraft } from "../durable-objects/domain/balances";
import { forgetRegistry } from "../src/locations";
import { ADMIN_TOKEN, api, ledger, putReservation, uniqueSku } from "./helpers";

const loc = fc.integer({ min: 0, max: 2 });
const q = fc.integer({ min: 1, max: 4 });
const res = fc.integer({ min: 0, max: 2 });
type Op =
  | { kind: "receive"; at: number; quantity: number }
  | { kind: "count"; at: number; on_hand: number }
  | { kind: "transfer"; from: number; to: number; quantity: number }
  | { kind: "put"; res: number; quantity: number; at: number | null }
  | { kind: "delete"; res: number }
  | { kind: "commit"; res: number }
  | { kind: "fulfil"; res: number; at: number | null }
  | { kind: "return"; res: number; quantity: number; at: number | null }
  | { kind: "settings"; backorder_limit: number; preorder: boolean }
  | { kind: "expect"; po: number; quantity: number; at: number }
  | { kind: "receive_po"; po: number; quantity: number }
  | { kind: "cancel_po"; po: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("receive" as const), at: loc, quantity: q }),
  fc.record({ kind: fc.constant("count" as const), at: loc, on_hand: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant("transfer" as const), from: loc, to: loc, quantity: q }),
  fc.record({ kind: fc.constant("put" as const), res, quantity: q, at: fc.option(loc, { nil: null }) }),
  fc.record({ kind: fc.constant("delete" as const), res }),
  fc.record({ kind: fc.constant("commit" as const), res }),
  fc.record({ kind: fc.constant("fulfil" as const), res, at: fc.option(loc, { nil: null }) }),
  fc.record({ kind: fc.constant("return" as const), res, quantity: q, at: fc.option(loc, { nil: null }) }),
  fc.record({ kind: fc.constant("settings" as const), backorder_limit: fc.integer({ min: 0, max: 3 }), preorder: fc.boolean() }),
  fc.record({ kind: fc.constant("expect" as const), po: fc.integer({ min: 0, max: 1 }), quantity: q, at: loc }),
  fc.record({ kind: fc.constant("receive_po" as const), po: fc.integer({ min: 0, max: 1 }), quantity: q }),
  fc.record({ kind: fc.constant("cancel_po" as const), po: fc.integer({ min: 0, max: 1 }) }),
);

/** The SKU's incoming as its moves tell it: what each incoming still expects, a receipt taking at most that. */
function incomingOf(moves: any[]): number {
  const left = new Map<string, number>();
  for (const m of moves) {
    if (m.incoming_id === null) continue;
    const now = left.get(m.incoming_id) ?? 0;
    if (m.type === "expected") left.set(m.incoming_id, now + m.quantity);
    if (m.type === "expected_cancelled") left.set(m.incoming_id, now - m.quantity);
    if (m.type === "received") left.set(m.incoming_id, now - Math.min(m.quantity, now));
  }
  return [...left.values()].reduce((n, v) => n + v, 0);
}

describe("locations against their own moves", () => {
  it("fold every location from its moves after every step, and no hold ever passes its policy's floor", async () => {
    const ids: string[] = [];
    for (const [i, priority] of [10, 20, 30].entries()) {
      const id = uniqueSku(`M${i}`);
      await api("PUT", `/v1/locations/${id}`, { token: ADMIN_TOKEN, body: { name: `Model ${i}`, priority } });
      ids.push(id);
    }
    forgetRegistry();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 12 }), async (ops) => {
        const sku = uniqueSku("LM");
        const cart = (n: number) => `${sku}-cart-${n}`;
        const order = (n: number) => `${sku}-order-${n}`;
        const location = (n: number | null) => (n === null ? {} : { location: ids[n]! });
        await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 3, location: ids[0] } });
        let policy = { backorder_limit: 0, preorder: false };
        let before = (await api("GET", `/v1/products/${sku}`)).body;
        for (const [step, o] of ops.entries()) {
          let status: number;
          switch (o.kind) {
            case "receive":
              status = (await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: o.quantity, ...location(o.at) } })).status;
              break;
            case "count":
              status = (await api("POST", `/v1/products/${sku}/count`, { body: { on_hand: o.on_hand, ...location(o.at) } })).status;
              break;
            case "transfer":
              status = (await api("POST", `/v1/products/${sku}/transfer`, { body: { from: ids[o.from], to: ids[o.to], quantity: o.quantity } })).status;
              break;
            case "put":
              status = (await putReservation(cart(o.res), [{ sku, quantity: o.quantity, ...location(o.at) }])).status;
              break;
            case "delete":
              status = (await api("DELETE", `/v1/reservations/${cart(o.res)}`)).status;
              break;
            case "commit":
              status = (await api("POST", `/v1/reservations/${cart(o.res)}/commit`, { body: { order_id: order(o.res) } })).status;
              break;
            case "fulfil":
              status = (await api("POST", `/v1/orders/${order(o.res)}/fulfil`, { body: { lines: [{ sku, quantity: 1, ...location(o.at) }] } })).status;
              break;
            case "return":
              status = (await api("POST", `/v1/orders/${order(o.res)}/return`, { body: { lines: [{ sku, quantity: o.quantity, ...location(o.at) }] } })).status;
              break;
            case "settings":
              policy = { backorder_limit: o.backorder_limit, preorder: o.preorder };
              status = (await api("PUT", `/v1/products/${sku}/settings`, { body: policy })).status;
              break;
            case "expect":
              status = (await api("PUT", `/v1/products/${sku}/incoming/PO-${o.po}`, { body: { quantity: o.quantity + 2, expected_at: "2027-01-01T00:00:00.000Z", location: ids[o.at] } })).status;
              break;
            case "receive_po":
              status = (await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: o.quantity, incoming_id: `PO-${o.po}` } })).status;
              break;
            case "cancel_po":
              status = (await api("DELETE", `/v1/products/${sku}/incoming/PO-${o.po}`)).status;
              break;
          }
          // Every call is answered with a success or one of the contract's refusals: never a 5xx.
          expect([200, 201, 400, 404, 409], `step ${step} ${JSON.stringify(o)}`).toContain(status);
          const stock = (await api("GET", `/v1/products/${sku}`)).body;
          const moves = await ledger(sku);
          let folded = new Map<string, Balances>();
          for (const m of moves) folded = evolveAt(folded, m as MoveDraft);
          for (const l of stock.locations) {
            const want = folded.get(l.location)!;
            expect([l.on_hand, l.reserved, l.committed], `step ${step} ${l.location}`).toEqual([want.on_hand, want.reserved, want.committed]);
            expect(l.on_hand, `step ${step} ${l.location}`).toBeGreaterThanOrEqual(0);
          }
          expect(stock.incoming, `step ${step} incoming`).toBe(incomingOf(moves));
          // A hold may take available down to its floor, or leave it where a count already left it; nothing
          // but a count, an adjust or fewer units expected takes it lower.
          if (o.kind === "put" && stock.available < before.available) {
            const floor = -(policy.backorder_limit + (policy.preorder ? stock.incoming : 0));
            expect(stock.available, `step ${step} ${JSON.stringify(o)}`).toBeGreaterThanOrEqual(Math.min(floor, before.available));
            if (policy.backorder_limit === 0 && !policy.preorder) {
              for (const l of stock.locations) {
                const was = before.locations.find((b: any) => b.location === l.location)?.available ?? 0;
                expect(l.available, `step ${step} ${l.location}`).toBeGreaterThanOrEqual(Math.min(0, was));
              }
            }
          }
          before = stock;
          expect(stock.locations.map((l: any) => l.location).sort()).toEqual([...folded.keys()].sort());
          expect(stock.on_hand).toBe(stock.locations.reduce((n: number, l: any) => n + l.on_hand, 0));
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
