// (v1.2) Random carts mixing two bundles that share components with plain lines of those components, with
// receipts, counts, commits, fulfils and cancels between them. After every step: each component's hold for a
// cart is exactly the sum of that cart's lines' units (as the cart shows its lines and their components), the
// component's reserved is the sum of the active carts' holds, and no hold took a component's available below 0.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, heldByProduct, ledger, putReservation, uniqueSku } from "./helpers";

type Line = { sku: string; quantity: number };
const mixes = fc.record({ kit: fc.nat(2), set: fc.nat(2), a: fc.nat(2), b: fc.nat(1) });
const cart = fc.nat(2);
type Op =
  | { kind: "put"; cart: number; mix: { kit: number; set: number; a: number; b: number } }
  | { kind: "delete"; cart: number }
  | { kind: "commit"; cart: number }
  | { kind: "fulfil"; cart: number }
  | { kind: "cancel"; cart: number }
  | { kind: "receive"; component: number; quantity: number }
  | { kind: "count"; component: number; on_hand: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("put" as const), cart, mix: mixes }), weight: 4 },
  fc.record({ kind: fc.constant("delete" as const), cart }),
  fc.record({ kind: fc.constant("commit" as const), cart }),
  fc.record({ kind: fc.constant("fulfil" as const), cart }),
  fc.record({ kind: fc.constant("cancel" as const), cart }),
  fc.record({ kind: fc.constant("receive" as const), component: fc.nat(1), quantity: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("count" as const), component: fc.nat(1), on_hand: fc.nat(6) }),
);

describe("bundles against their components", () => {
  it("hold each component exactly as the carts' lines add up, and never oversell it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 12 }), async (ops) => {
        const [a, b] = [uniqueSku("CA"), uniqueSku("CB")];
        const [kit, set] = [uniqueSku("KIT"), uniqueSku("SET")];
        await api("POST", `/v1/products/${a}/receive`, { body: { quantity: 5 } });
        await api("POST", `/v1/products/${b}/receive`, { body: { quantity: 3 } });
        expect((await api("PUT", `/v1/bundles/${kit}`, { body: { components: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }] } })).status).toBe(201);
        expect((await api("PUT", `/v1/bundles/${set}`, { body: { components: [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }] } })).status).toBe(201);
        const id = (n: number) => `${kit}-cart-${n}`;
        const order = (n: number) => `${kit}-order-${n}`;

        for (const [step, o] of ops.entries()) {
          let status: number;
          switch (o.kind) {
            case "put": {
              const lines: Line[] = [
                { sku: kit, quantity: o.mix.kit },
                { sku: set, quantity: o.mix.set },
                { sku: a, quantity: o.mix.a },
                { sku: b, quantity: o.mix.b },
              ].filter((l) => l.quantity > 0);
              status = lines.length === 0 ? (await api("DELETE", `/v1/reservations/${id(o.cart)}`)).status : (await putReservation(id(o.cart), lines)).status;
              break;
            }
            case "delete":
              status = (await api("DELETE", `/v1/reservations/${id(o.cart)}`)).status;
              break;
            case "commit":
              status = (await api("POST", `/v1/reservations/${id(o.cart)}/commit`, { body: { order_id: order(o.cart) } })).status;
              break;
            case "fulfil":
            case "cancel":
              status = (await api("POST", `/v1/orders/${order(o.cart)}/${o.kind}`, { body: {} })).status;
              break;
            case "receive":
              status = (await api("POST", `/v1/products/${[a, b][o.component]}/receive`, { body: { quantity: o.quantity } })).status;
              break;
            case "count":
              status = (await api("POST", `/v1/products/${[a, b][o.component]}/count`, { body: { on_hand: o.on_hand } })).status;
              break;
          }
          const at = `step ${step} ${JSON.stringify(o)}`;
          expect([200, 201, 404, 409], at).toContain(status);

          // Each active cart holds, of each component, the sum of its lines' units.
          const active: string[] = [];
          const want = new Map([[a, 0], [b, 0]]);
          for (const n of [0, 1, 2]) {
            const r = await api("GET", `/v1/reservations/${id(n)}`);
            if (r.status !== 200 || r.body.status !== "active") continue;
            active.push(id(n));
            const units = new Map([[a, 0], [b, 0]]);
            for (const line of r.body.lines) {
              for (const part of line.components ?? [{ sku: line.sku, quantity: 1 }]) {
                units.set(part.sku, units.get(part.sku)! + part.quantity * line.quantity);
              }
            }
            for (const sku of [a, b]) {
              expect(await heldByProduct(sku, id(n)), `${at} ${id(n)} ${sku}`).toBe(units.get(sku));
              want.set(sku, want.get(sku)! + units.get(sku)!);
            }
          }
          for (const sku of [a, b]) {
            const stock = (await api("GET", `/v1/products/${sku}`)).body;
            expect(stock.reserved, `${at} reserved ${sku}`).toBe(want.get(sku));
            // A hold that grew never left available below 0: only a count may.
            for (const m of await ledger(sku)) {
              if (m.type === "reserved") expect(m.on_hand - m.reserved - m.committed, `${at} ${sku} seq ${m.seq}`).toBeGreaterThanOrEqual(0);
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  }, 180_000);
});
