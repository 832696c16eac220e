// (v1.2) The decider with stock at several locations, given / when / then: where receipts, counts and
// transfers act, how holds are allocated, grown, shrunk and named, and where orders fulfil and return.
import { describe, expect, it } from "vitest";
import { allocate, mergeAllocations, releaseFromLast } from "../../durable-objects/domain/allocation";
import type { Command, CommittedLine, Hold, SkuState } from "../../durable-objects/domain/ledger";
import { available, evolveAt, type Balances, type MoveDraft } from "../../durable-objects/domain/balances";
import { NO_BACKORDERS } from "../../durable-objects/domain/policy";
import { balancesAt, decided, type BalancesTable } from "./decided";

/** A SKU with stock at several locations: [on_hand, reserved, committed] each. */
function given(table: BalancesTable, records: { hold?: Hold; line?: CommittedLine } = {}) {
  const { at: balances, totals } = balancesAt(table);
  const state: SkuState = {
    stock: { ...totals, version: 5, incoming: 0 },
    at: balances,
    hold: records.hold ?? null,
    line: records.line ?? null,
    policy: NO_BACKORDERS,
    incoming: null,
  };
  return {
    when(command: Command) {
      const { decision, accepted } = decided(state, command);
      return {
        decision,
        /** Each move as [type, quantity, location(, to_location)]. */
        thenMoves: (...moves: Array<[string, number, string, string?]>) =>
          expect(accepted().moves.map((m) => [m.type, m.quantity, m.location, ...(m.to_location ? [m.to_location] : [])])).toEqual(moves),
        thenAt: () => accepted().moves.reduce<Map<string, Balances>>((b, m: MoveDraft) => evolveAt(b, m), balances),
        thenHeld: () => accepted().hold?.allocations,
        thenLine: () => accepted().line,
        thenRefused: (refusal: object) => expect(decision).toEqual({ ok: false, refusal }),
      };
    },
  };
}

const here = (location: string, named = true) => ({ location, named });
const hold = (quantity: number, place: { location: string } | { order: string[] }): Command => ({
  type: "hold",
  reservation_id: "cart:1",
  quantity,
  place,
  expires_at_ms: 2_000,
  release_reason: "updated",
});
const holding = (allocations: Array<[string, number]>): Hold => ({
  reservation_id: "cart:1",
  quantity: allocations.reduce((n, [, q]) => n + q, 0),
  allocations: allocations.map(([location, quantity]) => ({ location, quantity })),
  expires_at_ms: 1_000,
  pinned_order_id: null,
});
const ORDER = ["east", "west", "default"];

describe("allocation (the rule on its own)", () => {
  const free = (f: Record<string, number>) => (l: string) => f[l] ?? 0;
  it("takes the whole quantity from the first location in order that covers it", () => {
    expect(allocate(3, free({ east: 2, west: 5, default: 9 }), ORDER)).toEqual([{ location: "west", quantity: 3 }]);
  });
  it("splits in order when no location covers it, skipping empty and short ones", () => {
    expect(allocate(6, free({ east: 2, west: -1, default: 5 }), ORDER)).toEqual([
      { location: "east", quantity: 2 },
      { location: "default", quantity: 4 },
    ]);
  });
  it("is null when the locations cannot cover it together", () => {
    expect(allocate(8, free({ east: 2, west: 1, default: 4 }), ORDER)).toBeNull();
  });
  it("grows where a location is already held, and shrinks from the last allocation first", () => {
    const grown = mergeAllocations([{ location: "east", quantity: 2 }], [{ location: "default", quantity: 1 }, { location: "east", quantity: 1 }]);
    expect(grown).toEqual([{ location: "east", quantity: 3 }, { location: "default", quantity: 1 }]);
    expect(releaseFromLast(grown, 2)).toEqual([{ location: "east", quantity: 2 }]);
  });
});

describe("receive, adjust, count and transfer at a location", () => {
  it("receives and counts where the request says", () => {
    given({ default: [5], east: [2] }).when({ type: "receive", quantity: 3, reason: null, ref: null, at: here("east"), incoming_id: null }).thenMoves(["received", 3, "east"]);
    const counted = given({ default: [5], east: [2, 1] }).when({ type: "count", on_hand: 6, reason: "count", ref: null, expected_version: null, at: here("east") });
    counted.thenMoves(["adjusted", 4, "east"]);
    expect(counted.thenAt().get("east")).toEqual({ on_hand: 6, reserved: 1, committed: 0 });
  });

  it("refuses an adjust past the location's own available, naming the location it was given", () => {
    given({ default: [9], east: [2, 1] })
      .when({ type: "adjust", delta: -2, reason: "lost", ref: null, expected_version: null, at: here("east"), allow_short: false })
      .thenRefused({ code: "insufficient_stock", requested: 2, available: 1, location: "east" });
    // Without a location the v1.1 refusal is unchanged: no location in it.
    given({ default: [1, 1] })
      .when({ type: "adjust", delta: -1, reason: "lost", ref: null, expected_version: null, at: here("default", false), allow_short: false })
      .thenRefused({ code: "insufficient_stock", requested: 1, available: 0 });
  });

  it("transfers only what is free at the source, in one move that leaves the totals alone", () => {
    const transfer = (quantity: number): Command => ({ type: "transfer", from: "east", to: "truck", quantity, reason: null, ref: "PO-7", expected_version: null });
    const moved = given({ east: [5, 2] }).when(transfer(3));
    moved.thenMoves(["transferred", 3, "east", "truck"]);
    expect(moved.thenAt()).toEqual(new Map([["east", { on_hand: 2, reserved: 2, committed: 0 }], ["truck", { on_hand: 3, reserved: 0, committed: 0 }]]));
    given({ east: [5, 2] }).when(transfer(4)).thenRefused({ code: "insufficient_stock", requested: 4, available: 3, location: "east" });
    given({ east: [5] })
      .when({ type: "transfer", from: "east", to: "west", quantity: 1, reason: null, ref: null, expected_version: 4 })
      .thenRefused({ code: "version_conflict", current_version: 5 });
  });
});

describe("holds over locations", () => {
  it("takes a new line from one location that covers it, by priority order", () => {
    const when = given({ east: [2], west: [4], default: [10] }).when(hold(3, { order: ORDER }));
    when.thenMoves(["reserved", 3, "west"]);
    expect(when.thenHeld()).toEqual([{ location: "west", quantity: 3 }]);
  });

  it("splits a line no location covers, in order, and never takes a location below zero", () => {
    const when = given({ east: [2, 1], west: [1], default: [3] }).when(hold(4, { order: ORDER }));
    when.thenMoves(["reserved", 1, "east"], ["reserved", 1, "west"], ["reserved", 2, "default"]);
    for (const b of when.thenAt().values()) expect(available(b)).toBeGreaterThanOrEqual(0);
  });

  it("refuses, counting what the active locations could give plus what it holds", () => {
    given({ east: [2], west: [1], default: [0], closed: [50] }, { hold: holding([["east", 1]]) })
      .when(hold(5, { order: ORDER }))
      .thenRefused({ code: "insufficient_stock", requested: 5, available: 4 });
  });

  it("allocates only the growth, and shrinks from the last allocation first", () => {
    const grown = given({ east: [3, 2], west: [5], default: [5] }, { hold: holding([["east", 2]]) }).when(hold(4, { order: ORDER }));
    grown.thenMoves(["reserved", 2, "west"]);
    expect(grown.thenHeld()).toEqual([{ location: "east", quantity: 2 }, { location: "west", quantity: 2 }]);
    const shrunk = given({ east: [3, 2], west: [5, 2] }, { hold: holding([["east", 2], ["west", 2]]) }).when(hold(1, { order: ORDER }));
    shrunk.thenMoves(["released", 2, "west"], ["released", 1, "east"]);
    expect(shrunk.thenHeld()).toEqual([{ location: "east", quantity: 1 }]);
  });

  it("holds a line that names a location there alone, moving what it held elsewhere", () => {
    const when = given({ east: [3, 2], west: [5] }, { hold: holding([["east", 2]]) }).when(hold(3, { location: "west" }));
    when.thenMoves(["released", 2, "east"], ["reserved", 3, "west"]);
    given({ east: [3], west: [1] }).when(hold(2, { location: "west" })).thenRefused({ code: "insufficient_stock", requested: 2, available: 1, location: "west" });
  });

  it("commits every allocation where it is held", () => {
    const pinned = { ...holding([["east", 1], ["default", 2]]), pinned_order_id: "order-1" };
    const when = given({ east: [1, 1], default: [4, 2] }, { hold: pinned }).when({ type: "commit", reservation_id: "cart:1", order_id: "order-1" });
    when.thenMoves(["committed", 1, "east"], ["committed", 2, "default"]);
    expect(when.thenLine()?.allocations).toEqual([
      { location: "east", committed: 1, fulfilled: 0, cancelled: 0, returned: 0 },
      { location: "default", committed: 2, fulfilled: 0, cancelled: 0, returned: 0 },
    ]);
  });
});

describe("orders over locations", () => {
  const line = (allocations: Array<[string, number, number?, number?]>): CommittedLine => {
    const parts = allocations.map(([location, committed, fulfilled = 0, returned = 0]) => ({ location, committed, fulfilled, cancelled: 0, returned }));
    const sum = (k: "committed" | "fulfilled" | "returned") => parts.reduce((n, p) => n + p[k], 0);
    return { order_id: "order-1", reservation_id: "cart:1", committed: sum("committed"), fulfilled: sum("fulfilled"), cancelled: 0, returned: sum("returned"), allocations: parts };
  };
  const totals = (fulfilled: number, returned = 0, location: string | null = null): Command => ({
    type: "apply_order_totals",
    order_id: "order-1",
    target: { fulfilled, cancelled: 0, returned },
    location,
  });

  it("fulfils over the allocations in order, or at the location named", () => {
    given({ east: [1, 0, 1], default: [2, 0, 2] }, { line: line([["east", 1], ["default", 2]]) })
      .when(totals(2))
      .thenMoves(["fulfilled", 1, "east"], ["fulfilled", 1, "default"]);
    given({ east: [1, 0, 1], default: [2, 0, 2] }, { line: line([["east", 1], ["default", 2]]) })
      .when(totals(2, 0, "default"))
      .thenMoves(["fulfilled", 2, "default"]);
    given({ east: [1, 0, 1], default: [2, 0, 2] }, { line: line([["east", 1], ["default", 2]]) })
      .when(totals(2, 0, "east"))
      .thenRefused({ code: "quantity_exceeds_order", requested: 2, limit: 1 });
  });

  it("needs on_hand at the location it fulfils from", () => {
    given({ east: [0, 0, 1] }, { line: line([["east", 1]]) })
      .when(totals(1))
      .thenRefused({ code: "insufficient_stock", requested: 1, available: 0, location: "east" });
  });

  it("takes returns back where the units were fulfilled from, first first, or where the line names", () => {
    const shipped = line([["east", 1, 1], ["default", 2, 2]]);
    given({ east: [0], default: [0] }, { line: shipped }).when(totals(3, 2)).thenMoves(["returned", 1, "east"], ["returned", 1, "default"]);
    const elsewhere = given({ east: [0], default: [0] }, { line: shipped }).when(totals(3, 1, "store"));
    elsewhere.thenMoves(["returned", 1, "store"]);
    expect(elsewhere.thenLine()?.allocations.at(-1)).toEqual({ location: "store", committed: 0, fulfilled: 0, cancelled: 0, returned: 1 });
  });
});
