// (v1.2) Recording reality, given / when / then: counts that find a SKU short, adjusts that may, backorders
// and preorders, incoming units and receipts against them, and the events at the new boundaries.
import { describe, expect, it } from "vitest";
import { allocateBeyond } from "../../durable-objects/domain/allocation";
import { decideIncoming, type IncomingRecord } from "../../durable-objects/domain/incoming";
import type { Command, Hold, SkuState } from "../../durable-objects/domain/ledger";
import { available, evolveAt, fold, type Balances } from "../../durable-objects/domain/balances";
import { availableToPromise, backorderRoom, isShort, NO_BACKORDERS, type StockPolicy } from "../../durable-objects/domain/policy";
import { eventTypesOf } from "../../durable-objects/domain/stock-events";
import { balancesAt, decided, type BalancesTable } from "./decided";

interface Given {
  /** [on_hand, reserved, committed] at each location. */
  at: BalancesTable;
  policy?: Partial<StockPolicy>;
  incoming?: number;
  hold?: Hold;
  named?: IncomingRecord;
}

function given({ at: raw, policy = {}, incoming = 0, hold = undefined, named = undefined }: Given) {
  const { at, totals } = balancesAt(raw);
  const state: SkuState = {
    stock: { ...totals, version: 9, incoming },
    at,
    hold: hold ?? null,
    line: null,
    policy: { ...NO_BACKORDERS, ...policy },
    incoming: named ?? null,
  };
  return {
    when(command: Command) {
      const { decision, accepted } = decided(state, command);
      return {
        decision,
        thenMoves: (...moves: Array<[string, number, string]>) =>
          expect(accepted().moves.map((m) => [m.type, m.quantity, m.location])).toEqual(moves),
        thenAvailableAt: (location: string) => available(accepted().moves.reduce((b, m) => evolveAt(b, m), at as Map<string, Balances>).get(location)!),
        thenIncoming: () => fold(state.stock, accepted().moves).incoming,
        thenRecord: () => accepted().incoming,
        thenHeld: () => accepted().hold?.allocations,
        thenRefused: (refusal: object) => expect(decision).toEqual({ ok: false, refusal }),
      };
    },
  };
}

const AT_DEFAULT = { location: "default", named: false };
const count = (on_hand: number, location = "default"): Command => ({
  type: "count",
  on_hand,
  reason: "count",
  ref: null,
  expected_version: null,
  at: { location, named: location !== "default" },
});
const adjust = (delta: number, allow_short = false): Command => ({
  type: "adjust",
  delta,
  reason: "damaged",
  ref: null,
  expected_version: null,
  at: AT_DEFAULT,
  allow_short,
});
const hold = (quantity: number, place: { location: string } | { order: string[] } = { order: ["default"] }): Command => ({
  type: "hold",
  reservation_id: "cart:1",
  quantity,
  place,
  expires_at_ms: 2_000,
  release_reason: "updated",
});
const receive = (quantity: number, incoming_id: string | null, at = AT_DEFAULT): Command => ({
  type: "receive",
  quantity,
  reason: null,
  ref: null,
  at,
  incoming_id,
});
const open = (fields: Partial<IncomingRecord> = {}): IncomingRecord => ({
  id: "PO-7",
  location: "east",
  quantity: 10,
  received: 0,
  expected_at_ms: 5_000,
  status: "open",
  ...fields,
});

describe("a count records what is on the shelf", () => {
  it("sets on_hand below reserved + committed: available goes negative, the SKU is short", () => {
    const when = given({ at: { default: [7, 3, 2] } }).when(count(3));
    when.thenMoves(["adjusted", -4, "default"]);
    expect(when.thenAvailableAt("default")).toBe(-2);
  });

  it("is refused only by a stale version, never for stock", () => {
    const stale = { ...count(0), expected_version: 8 } as Command;
    given({ at: { default: [7, 5] } }).when(stale).thenRefused({ code: "version_conflict", current_version: 9 });
  });

  it("at a location leaves the others as they were", () => {
    given({ at: { default: [5], east: [4, 4] } }).when(count(1, "east")).thenMoves(["adjusted", -3, "east"]);
  });
});

describe("adjust", () => {
  it("keeps its v1.1 refusal, phrased as the delta the caller sent", () => {
    given({ at: { default: [7, 3, 2] } }).when(adjust(-4)).thenRefused({ code: "insufficient_stock", requested: 4, available: 2 });
  });

  it("with allow_short takes available below zero", () => {
    const when = given({ at: { default: [7, 3, 2] } }).when(adjust(-4, true));
    when.thenMoves(["adjusted", -4, "default"]);
    expect(when.thenAvailableAt("default")).toBe(-2);
  });

  it("never takes on_hand below zero, even with allow_short", () => {
    given({ at: { default: [2, 2] } }).when(adjust(-3, true)).thenRefused({ code: "insufficient_stock", requested: 3, available: 2 });
  });

  it("adds to a short SKU without asking", () => {
    given({ at: { default: [1, 3] } }).when(adjust(1)).thenMoves(["adjusted", 1, "default"]);
  });
});

describe("holds on a short SKU", () => {
  it("grants nothing new at a location whose available is ≤ 0", () => {
    given({ at: { default: [2, 3] } }).when(hold(1)).thenRefused({ code: "insufficient_stock", requested: 1, available: 0 });
  });

  it("still lets a hold shrink or stay as it is", () => {
    const held: Hold = { reservation_id: "cart:1", quantity: 3, allocations: [{ location: "default", quantity: 3 }], expires_at_ms: 1, pinned_order_id: null };
    given({ at: { default: [2, 3] }, hold: held }).when(hold(3)).thenMoves();
    given({ at: { default: [2, 3] }, hold: held }).when(hold(1)).thenMoves(["released", 2, "default"]);
  });

  it("takes from another location that has free units", () => {
    given({ at: { default: [0, 2], east: [5] } }).when(hold(2, { order: ["default", "east"] })).thenMoves(["reserved", 2, "east"]);
  });
});

describe("backorders", () => {
  it("let holds take available down to −backorder_limit, allocated to the first active location", () => {
    const when = given({ at: { default: [1], east: [2] }, policy: { backorder_limit: 4 } }).when(hold(7, { order: ["east", "default"] }));
    when.thenMoves(["reserved", 6, "east"], ["reserved", 1, "default"]);
    expect(when.thenHeld()).toEqual([
      { location: "east", quantity: 6 },
      { location: "default", quantity: 1 },
    ]);
    expect(when.thenAvailableAt("east")).toBe(-4);
  });

  it("refuse past the limit, saying what could be taken", () => {
    given({ at: { default: [1] }, policy: { backorder_limit: 4 } })
      .when(hold(6))
      .thenRefused({ code: "insufficient_stock", requested: 6, available: 5 });
  });

  it("count units already backordered, or short, against the limit", () => {
    given({ at: { default: [0, 3] }, policy: { backorder_limit: 4 } }).when(hold(1)).thenMoves(["reserved", 1, "default"]);
    given({ at: { default: [0, 4] }, policy: { backorder_limit: 4 } })
      .when(hold(1))
      .thenRefused({ code: "insufficient_stock", requested: 1, available: 0 });
  });

  it("apply to a line that names its location", () => {
    given({ at: { east: [1] }, policy: { backorder_limit: 2 } }).when(hold(3, { location: "east" })).thenMoves(["reserved", 3, "east"]);
  });

  it("leave holds as before when the limit is 0", () => {
    expect(allocateBeyond(3, () => 2, ["default"], 0)).toBeNull();
    expect(allocateBeyond(2, () => 2, ["default"], 0)).toEqual([{ location: "default", quantity: 2 }]);
  });
});

describe("preorders", () => {
  it("let holds also take incoming units: down to −(incoming + backorder_limit)", () => {
    const preorder = { policy: { preorder: true, backorder_limit: 1 }, incoming: 5 };
    given({ at: { default: [2] }, ...preorder }).when(hold(8)).thenMoves(["reserved", 8, "default"]);
    given({ at: { default: [2] }, ...preorder }).when(hold(9)).thenRefused({ code: "insufficient_stock", requested: 9, available: 8 });
  });

  it("count for nothing while the setting is off", () => {
    given({ at: { default: [2] }, incoming: 5 }).when(hold(3)).thenRefused({ code: "insufficient_stock", requested: 3, available: 2 });
  });
});

describe("available_to_promise and short", () => {
  const at = (entries: Record<string, [number, number]>) =>
    new Map(Object.entries(entries).map(([l, [on_hand, reserved]]) => [l, { on_hand, reserved, committed: 0 }]));

  it("is the free units everywhere, plus the backorder room left", () => {
    expect(availableToPromise(NO_BACKORDERS, 0, at({ default: [5, 2] }))).toBe(3);
    expect(availableToPromise({ backorder_limit: 4, preorder: false }, 0, at({ default: [5, 7] }))).toBe(2);
    expect(availableToPromise({ backorder_limit: 1, preorder: true }, 3, at({ default: [0, 0] }))).toBe(4);
    expect(availableToPromise(NO_BACKORDERS, 0, at({ default: [1, 4], east: [5, 0] }))).toBe(5);
  });

  it("is short below what the policy lets holds take it to", () => {
    expect(isShort(NO_BACKORDERS, 0, -1)).toBe(true);
    expect(isShort(NO_BACKORDERS, 0, 0)).toBe(false);
    expect(isShort({ backorder_limit: 3, preorder: false }, 0, -3)).toBe(false);
    expect(isShort({ backorder_limit: 3, preorder: false }, 0, -4)).toBe(true);
    expect(isShort({ backorder_limit: 0, preorder: true }, 2, -2)).toBe(false);
    expect(backorderRoom({ backorder_limit: 3, preorder: false }, 0, at({ default: [0, 5] }))).toBe(0);
  });
});

describe("incoming", () => {
  it("declaring one is an expected move of its quantity at its location", () => {
    const when = given({ at: {} }).when({ type: "expect", incoming_id: "PO-7", quantity: 10, location: "east", expected_at_ms: 5_000 });
    when.thenMoves(["expected", 10, "east"]);
    expect(when.thenIncoming()).toBe(10);
    expect(when.thenRecord()).toEqual(open());
  });

  it("changing its quantity moves only the difference; a new date moves nothing", () => {
    const change = (quantity: number, expected_at_ms = 5_000): Command => ({ type: "expect", incoming_id: "PO-7", quantity, location: "east", expected_at_ms });
    given({ at: {}, incoming: 10, named: open() }).when(change(12)).thenMoves(["expected", 2, "east"]);
    given({ at: {}, incoming: 10, named: open() }).when(change(7)).thenMoves(["expected_cancelled", 3, "east"]);
    const later = given({ at: {}, incoming: 10, named: open() }).when(change(10, 9_000));
    later.thenMoves();
    expect(later.thenRecord()?.expected_at_ms).toBe(9_000);
  });

  it("moving it to another location moves what is still expected", () => {
    given({ at: {}, incoming: 6, named: open({ received: 4 }) })
      .when({ type: "expect", incoming_id: "PO-7", quantity: 10, location: "west", expected_at_ms: 5_000 })
      .thenMoves(["expected_cancelled", 6, "east"], ["expected", 6, "west"]);
  });

  it("cannot drop below what it already received, nor change once closed", () => {
    const change = (quantity: number): Command => ({ type: "expect", incoming_id: "PO-7", quantity, location: "east", expected_at_ms: 5_000 });
    expect(given({ at: {}, named: open({ received: 4 }) }).when(change(3)).decision).toMatchObject({ ok: false, refusal: { code: "incoming_closed" } });
    expect(given({ at: {}, named: open({ status: "cancelled" }) }).when(change(10)).decision).toMatchObject({ ok: false, refusal: { code: "incoming_closed" } });
  });

  it("cancelling takes back what is still expected; again, nothing; a received one cannot be", () => {
    const cancel: Command = { type: "cancel_incoming", incoming_id: "PO-7" };
    const when = given({ at: {}, incoming: 6, named: open({ received: 4 }) }).when(cancel);
    when.thenMoves(["expected_cancelled", 6, "east"]);
    expect(when.thenRecord()?.status).toBe("cancelled");
    given({ at: {}, named: open({ status: "cancelled" }) }).when(cancel).thenMoves();
    expect(decideIncoming(open({ status: "received", received: 10 }), { type: "cancel_incoming", incoming_id: "PO-7" })).toMatchObject({
      ok: false,
      refusal: { code: "incoming_closed" },
    });
    given({ at: {} }).when(cancel).thenRefused({ code: "incoming_not_found", incoming_id: "PO-7" });
  });

  it("a receipt against it is received in full at its location, and takes from incoming what it expected", () => {
    const part = given({ at: {}, incoming: 10, named: open() }).when(receive(4, "PO-7"));
    part.thenMoves(["received", 4, "east"]);
    expect(part.thenIncoming()).toBe(6);
    expect(part.thenRecord()).toMatchObject({ received: 4, status: "open" });
    expect(part.decision.ok && part.decision.moves[0]!.incoming_id).toBe("PO-7");

    const beyond = given({ at: {}, incoming: 6, named: open({ received: 4 }) }).when(receive(9, "PO-7"));
    beyond.thenMoves(["received", 9, "east"]);
    expect(beyond.thenIncoming()).toBe(0);
    expect(beyond.thenRecord()).toMatchObject({ received: 13, status: "received" });
  });

  it("a receipt that names a location is made there", () => {
    given({ at: {}, incoming: 10, named: open() }).when(receive(2, "PO-7", { location: "west", named: true })).thenMoves(["received", 2, "west"]);
  });

  it("a receipt against a cancelled or unknown incoming is refused", () => {
    expect(given({ at: {}, named: open({ status: "cancelled" }) }).when(receive(1, "PO-7")).decision).toMatchObject({ ok: false, refusal: { code: "incoming_closed" } });
    given({ at: {} }).when(receive(1, "PO-9")).thenRefused({ code: "incoming_not_found", incoming_id: "PO-9" });
  });
});

describe("events at the v1.2 boundaries", () => {
  it.each([
    [2, -1, "adjusted", ["stock.out_of_stock", "stock.short", "stock.changed"]],
    [0, -3, "adjusted", ["stock.short", "stock.changed"]],
    [-1, -3, "adjusted", ["stock.changed"]],
    [1, -2, "reserved", ["stock.out_of_stock", "stock.changed"]],
    [-2, 1, "received", ["stock.back_in_stock", "stock.changed"]],
    [-2, 0, "received", ["stock.changed"]],
  ] as const)("from %i to %i by %s: %j", (before, after, type, types) => {
    expect(eventTypesOf(before, after, null, type)).toEqual(types);
  });
});
