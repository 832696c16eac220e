// Model-based property test: random sequences of every stock-changing call, run against the service and
// against a plain in-memory model of API.md. After every step each SKU's four numbers must equal the
// model's and `available` must be ≥ 0; every call must answer the status the model expects.
import { runDurableObjectAlarm } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, passDeadline, putReservation, reservationStub, uniqueSku } from "./helpers";

const SKUS = 3;
const RESERVATIONS = 2;

type Op =
  | { kind: "receive"; sku: number; quantity: number }
  | { kind: "adjust"; sku: number; delta: number }
  | { kind: "put"; res: number; lines: Array<[number, number]> }
  | { kind: "delete"; res: number }
  | { kind: "commit"; res: number }
  | { kind: "fulfil"; res: number; line: [number, number] | null }
  | { kind: "cancel"; res: number }
  | { kind: "return"; res: number; line: [number, number] }
  | { kind: "expire"; res: number };

const sku = fc.integer({ min: 0, max: SKUS - 1 });
const res = fc.integer({ min: 0, max: RESERVATIONS - 1 });
const qty = fc.integer({ min: 1, max: 3 });
/** Every run starts by receiving some stock of each SKU, so reservations mostly succeed. */
const opening = fc.tuple(...Array.from({ length: SKUS }, () => fc.integer({ min: 3, max: 12 }))).map((qs) =>
  qs.map((quantity, s): Op => ({ kind: "receive", sku: s, quantity })),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("receive" as const), sku, quantity: qty }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      sku,
      delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("put" as const),
      res,
      lines: fc.uniqueArray(fc.tuple(sku, qty), { minLength: 1, maxLength: SKUS, selector: ([s]) => s }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), res }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("commit" as const), res }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("fulfil" as const), res, line: fc.option(fc.tuple(sku, qty), { nil: null }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), res }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("return" as const), res, line: fc.tuple(sku, qty) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const), res }) },
);

interface Balances {
  on_hand: number;
  reserved: number;
  committed: number;
}
interface OrderLine {
  committed: number;
  fulfilled: number;
  cancelled: number;
  returned: number;
}
interface ModelReservation {
  status: "active" | "committed" | "released" | "expired";
  lines: Map<number, number>;
  order: Map<number, OrderLine> | null;
}

/** API.md's rules, written as plainly as possible. Each step returns the status the service must answer. */
class Model {
  stock = Array.from({ length: SKUS }, (): Balances => ({ on_hand: 0, reserved: 0, committed: 0 }));
  reservations = new Map<number, ModelReservation>();

  available(s: number) {
    const b = this.stock[s]!;
    return b.on_hand - b.reserved - b.committed;
  }

  apply(op: Op): number {
    switch (op.kind) {
      case "receive":
        this.stock[op.sku]!.on_hand += op.quantity;
        return 201;
      case "adjust":
        if (this.available(op.sku) + op.delta < 0) return 409;
        this.stock[op.sku]!.on_hand += op.delta;
        return 201;
      case "put": {
        const r = this.reservations.get(op.res);
        if (r?.status === "committed") return 409;
        const before = r?.status === "active" ? r.lines : new Map<number, number>();
        const after = new Map(op.lines);
        for (const [s, q] of after) if (q - (before.get(s) ?? 0) > this.available(s)) return 409;
        for (const s of new Set([...before.keys(), ...after.keys()])) {
          this.stock[s]!.reserved += (after.get(s) ?? 0) - (before.get(s) ?? 0);
        }
        this.reservations.set(op.res, { status: "active", lines: after, order: null });
        return r ? 200 : 201;
      }
      case "delete": {
        const r = this.reservations.get(op.res);
        if (!r) return 404;
        if (r.status === "committed") return 409;
        if (r.status === "active") this.release(r, "released");
        return 200;
      }
      case "expire": {
        const r = this.reservations.get(op.res);
        if (r?.status === "active") this.release(r, "expired");
        return 0;
      }
      case "commit": {
        const r = this.reservations.get(op.res);
        if (!r) return 404;
        if (r.status === "committed") return 200;
        if (r.status !== "active") return 409;
        r.order = new Map();
        for (const [s, q] of r.lines) {
          this.stock[s]!.reserved -= q;
          this.stock[s]!.committed += q;
          r.order.set(s, { committed: q, fulfilled: 0, cancelled: 0, returned: 0 });
        }
        r.status = "committed";
        return 200;
      }
      case "fulfil":
      case "cancel": {
        const order = this.reservations.get(op.res)?.order;
        if (!order) return 404;
        const outstanding = (l: OrderLine) => l.committed - l.fulfilled - l.cancelled;
        const asked = op.kind === "fulfil" && op.line ? [op.line] : [...order].map(([s, l]) => [s, outstanding(l)]);
        for (const [s, q] of asked) {
          const line = order.get(s!);
          if (!line || q! > outstanding(line)) return 409;
        }
        for (const [s, q] of asked) {
          const line = order.get(s!)!;
          this.stock[s!]!.committed -= q!;
          if (op.kind === "fulfil") {
            this.stock[s!]!.on_hand -= q!;
            line.fulfilled += q!;
          } else {
            line.cancelled += q!;
          }
        }
        return 200;
      }
      case "return": {
        const order = this.reservations.get(op.res)?.order;
        if (!order) return 404;
        const [s, q] = op.line;
        const line = order.get(s);
        if (!line || q > line.fulfilled - line.returned) return 409;
        line.returned += q;
        this.stock[s]!.on_hand += q;
        return 200;
      }
    }
  }

  /**
   * Points most commits and deletes at an active reservation, and order calls at an order that exists, and its line at a SKU that order has, when there is
   * one: random choices alone almost never reach a fulfilled order, so returns would go untested.
   */
  retarget(op: Op): Op {
    if (op.kind === "commit" || op.kind === "delete") {
      const active = [...this.reservations].filter(([, r]) => r.status === "active").map(([n]) => n);
      return active.length > 0 && op.res % 2 === 0 ? { ...op, res: active[0]! } : op;
    }
    if (op.kind !== "fulfil" && op.kind !== "cancel" && op.kind !== "return") return op;
    const committed = [...this.reservations].filter(([, r]) => r.order).map(([n]) => n);
    if (committed.length === 0) return op;
    const res = committed[op.res % committed.length]!;
    if (op.kind === "cancel" || (op.kind === "fulfil" && op.line === null)) return { ...op, res };
    const order = this.reservations.get(res)!.order!;
    const skus = [...order.keys()];
    const [s, q] = op.line!;
    const target = skus[s % skus.length]!;
    const line = order.get(target)!;
    // Half of the over-asks are brought within what the line allows, so both answers get exercised.
    const allowed = op.kind === "return" ? line.fulfilled - line.returned : line.committed - line.fulfilled - line.cancelled;
    const quantity = q > allowed && allowed > 0 && q % 2 === 1 ? allowed : q;
    return { ...op, res, line: [target, quantity] } as Op;
  }

  private release(r: ModelReservation, status: "released" | "expired") {
    for (const [s, q] of r.lines) this.stock[s]!.reserved -= q;
    r.status = status;
  }
}

/** The same step against the service; answers the HTTP status. */
async function run(op: Op, skus: string[], ids: string[]): Promise<number> {
  const id = (n: number) => ids[n]!;
  const order = (n: number) => `${ids[n]}-order`;
  const lines = (pairs: Array<[number, number]>) => pairs.map(([s, q]) => ({ sku: skus[s]!, quantity: q }));
  switch (op.kind) {
    case "receive":
      return (await api("POST", `/v1/products/${skus[op.sku]}/receive`, { body: { quantity: op.quantity } })).status;
    case "adjust":
      return (await api("POST", `/v1/products/${skus[op.sku]}/adjust`, { body: { delta: op.delta, reason: "count" } }))
        .status;
    case "put":
      return (await putReservation(id(op.res), lines(op.lines))).status;
    case "delete":
      return (await api("DELETE", `/v1/reservations/${id(op.res)}`)).status;
    case "commit":
      return (await api("POST", `/v1/reservations/${id(op.res)}/commit`, { body: { order_id: order(op.res) } })).status;
    case "fulfil":
      return (
        await api("POST", `/v1/orders/${order(op.res)}/fulfil`, op.line ? { body: { lines: lines([op.line]) } } : {})
      ).status;
    case "cancel":
      return (await api("POST", `/v1/orders/${order(op.res)}/cancel`)).status;
    case "return":
      return (await api("POST", `/v1/orders/${order(op.res)}/return`, { body: { lines: lines([op.line]) } })).status;
    case "expire": {
      const current = await api("GET", `/v1/reservations/${id(op.res)}`);
      if (current.status !== 200 || current.body.status !== "active") return 0;
      // Same lines with a 1 s ttl moves no stock; then let the reservation's own alarm expire it.
      const shortened = await api("PUT", `/v1/reservations/${id(op.res)}`, {
        body: { holder: current.body.holder, lines: current.body.lines, ttl_seconds: 1 },
      });
      passDeadline(Date.parse(shortened.body.expires_at));
      await runDurableObjectAlarm(reservationStub(id(op.res)));
      return 0;
    }
  }
}

async function stockNumbers(sku: string) {
  const res = await api("GET", `/v1/products/${sku}`);
  if (res.status === 404) return { on_hand: 0, reserved: 0, committed: 0, available: 0 };
  const { on_hand, reserved, committed, available } = res.body;
  return { on_hand, reserved, committed, available };
}

describe("the service against a reference model", () => {
  it("agrees with the model after every step of random call sequences", async () => {
    await fc.assert(
      fc.asyncProperty(opening, fc.array(opArb, { minLength: 6, maxLength: 36 }), async (start, rest) => {
        const ops = [...start, ...rest];
        const skus = Array.from({ length: SKUS }, () => uniqueSku("M"));
        const ids = Array.from({ length: RESERVATIONS }, () => uniqueSku("mres"));
        const model = new Model();
        for (const [step, generated] of ops.entries()) {
          const op = model.retarget(generated);
          const expected = model.apply(op);
          const actual = await run(op, skus, ids);
          expect(actual, `step ${step}: ${JSON.stringify(op)}`).toBe(expected);
          for (const [i, s] of skus.entries()) {
            const numbers = await stockNumbers(s);
            expect(numbers, `step ${step}, SKU ${i}`).toEqual({
              ...model.stock[i],
              available: model.available(i),
            });
            expect(numbers.available).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 30 },
    );
  }, 240_000);
});
