// The decider on its own, given / when / then: every rule of API.md's model and every refusal, with no
// storage involved. `given` is the SKU's state, `when` a command, `then` what it decided.
import { describe, expect, it } from "vitest";
import { decide, type Command, type CommittedLine, type Hold, type SkuState } from "../../durable-objects/domain/ledger";
import { available, EMPTY_SNAPSHOT, fold, type MoveDraft, type Snapshot } from "../../durable-objects/domain/balances";
import { NO_BACKORDERS } from "../../durable-objects/domain/policy";
import { decided } from "./decided";

const stock = (on_hand: number, reserved = 0, committed = 0, version = 1): Snapshot => ({
  on_hand,
  reserved,
  committed,
  version,
  incoming: 0,
});

const holdOf = (quantity: number, fields: Partial<Hold> = {}): Hold => ({
  reservation_id: "cart:1",
  quantity,
  allocations: quantity > 0 ? [{ location: "default", quantity }] : [],
  expires_at_ms: 1_000,
  pinned_order_id: null,
  ...fields,
});

/** An order's line, all at `default` unless `allocations` says otherwise. */
function lineOf(committed: number, fields: Partial<CommittedLine> = {}): CommittedLine {
  const totals = { committed, fulfilled: 0, cancelled: 0, returned: 0, ...fields };
  const { fulfilled, cancelled, returned } = totals;
  return {
    order_id: "order-1",
    reservation_id: "cart:1",
    allocations: [{ location: "default", committed, fulfilled, cancelled, returned }],
    ...totals,
  };
}

/** A SKU of one location: everything at `default`. */
const atDefault = (s: Snapshot) => new Map([["default", { on_hand: s.on_hand, reserved: s.reserved, committed: s.committed }]]);
const DEFAULT_AT = { location: "default", named: false };

/** The move a test expects: every field the decider sets, nulls where the command gave none. */
const NO_IDS = {
  reservation_id: null,
  order_id: null,
  reason: null,
  ref: null,
  location: "default",
  to_location: null,
  incoming_id: null,
  incoming_delta: 0,
};
const moveOf = (type: MoveDraft["type"], quantity: number, fields: Partial<MoveDraft> = {}): MoveDraft => ({ type, quantity, ...NO_IDS, ...fields });

function given(s: Snapshot, records: { hold?: Hold; line?: CommittedLine } = {}) {
  const state: SkuState = {
    stock: s,
    at: atDefault(s),
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
        thenMoves: (...moves: MoveDraft[]) => expect(accepted().moves).toEqual(moves),
        thenStock: () => fold(s, accepted().moves),
        thenRefused: (refusal: object) => expect(decision).toEqual({ ok: false, refusal }),
        thenRecords: (records: { hold?: Hold; line?: CommittedLine }) => {
          const { hold, line } = accepted();
          expect({ hold, line }).toEqual({ hold: records.hold, line: records.line });
        },
      };
    },
  };
}

const receive = (quantity: number): Command => ({ type: "receive", quantity, reason: null, ref: null, at: DEFAULT_AT, incoming_id: null });
const adjust = (delta: number, expected_version: number | null = null): Command => ({
  type: "adjust",
  delta,
  reason: "count",
  ref: null,
  expected_version,
  at: DEFAULT_AT,
  allow_short: false,
});
const hold = (quantity: number, release_reason: "updated" | "expired" = "updated"): Command => ({
  type: "hold",
  reservation_id: "cart:1",
  quantity,
  place: { order: ["default"] },
  expires_at_ms: 2_000,
  release_reason,
});
const totals = (fulfilled: number, cancelled = 0, returned = 0): Command => ({
  type: "apply_order_totals",
  order_id: "order-1",
  target: { fulfilled, cancelled, returned },
  location: null,
});
const ids = { reservation_id: "cart:1", order_id: "order-1" };

describe("receive", () => {
  it("adds to on_hand with a received move carrying reason and ref", () => {
    const when = given(EMPTY_SNAPSHOT).when({ type: "receive", quantity: 5, reason: "po", ref: "PO-1", at: DEFAULT_AT, incoming_id: null });
    when.thenMoves(moveOf("received", 5, { reason: "po", ref: "PO-1" }));
    expect(when.thenStock()).toEqual({ on_hand: 5, reserved: 0, committed: 0, version: 1, incoming: 0 });
  });
});

describe("adjust", () => {
  it("moves on_hand by the signed delta", () => {
    expect(given(stock(10)).when(adjust(-3)).thenStock().on_hand).toBe(7);
    expect(given(stock(10)).when(adjust(4)).thenStock().on_hand).toBe(14);
    given(stock(10)).when(adjust(-3)).thenMoves(moveOf("adjusted", -3, { reason: "count" }));
  });

  it("may take available exactly to zero", () => {
    expect(available(given(stock(10, 4, 2)).when(adjust(-4)).thenStock())).toBe(0);
  });

  it("refuses to take available below zero, reporting -delta and what is available", () => {
    given(stock(10, 4, 2)).when(adjust(-5)).thenRefused({ code: "insufficient_stock", requested: 5, available: 4 });
  });

  it("refuses a stale expected_version before looking at stock", () => {
    given(stock(10, 0, 0, 7)).when(adjust(-100, 6)).thenRefused({ code: "version_conflict", current_version: 7 });
    expect(given(stock(10, 0, 0, 7)).when(adjust(-1, 7)).decision.ok).toBe(true);
    expect(given(EMPTY_SNAPSHOT).when(adjust(3, 0)).decision.ok).toBe(true);
  });
});

describe("hold", () => {
  it("reserves only the difference when a hold grows, and keeps the new deadline", () => {
    const when = given(stock(10, 2), { hold: holdOf(2) }).when(hold(5));
    when.thenMoves(moveOf("reserved", 3, { reservation_id: "cart:1" }));
    when.thenRecords({ hold: holdOf(5, { expires_at_ms: 2_000 }) });
  });

  it("releases only the difference when a hold shrinks, with the given reason", () => {
    given(stock(10, 5), { hold: holdOf(5) })
      .when(hold(1))
      .thenMoves(moveOf("released", 4, { reservation_id: "cart:1", reason: "updated" }));
    const gone = given(stock(10, 5), { hold: holdOf(5) }).when(hold(0, "expired"));
    gone.thenMoves(moveOf("released", 5, { reservation_id: "cart:1", reason: "expired" }));
    gone.thenRecords({ hold: holdOf(0, { expires_at_ms: 2_000 }) });
  });

  it("appends nothing when the quantity is unchanged, so holding again never counts twice", () => {
    given(stock(10, 3), { hold: holdOf(3) }).when(hold(3)).thenMoves();
  });

  it("refuses growth past available; available counts what this reservation already holds", () => {
    given(stock(10, 8), { hold: holdOf(3) }).when(hold(6)).thenRefused({ code: "insufficient_stock", requested: 6, available: 5 });
    expect(given(stock(10, 8), { hold: holdOf(3) }).when(hold(5)).decision.ok).toBe(true);
  });

  it("refuses to change a hold pinned by a commit, but accepts the same quantity and keeps the pin", () => {
    const pinned = holdOf(3, { pinned_order_id: "order-1" });
    given(stock(10, 3), { hold: pinned }).when(hold(0)).thenRefused({ code: "hold_pinned", reservation_id: "cart:1" });
    given(stock(10, 3), { hold: pinned }).when(hold(3)).thenRecords({ hold: { ...pinned, expires_at_ms: 2_000 } });
  });
});

describe("expire (the alarm's check of a hold's deadline)", () => {
  const expire = (now_ms: number): Command => ({ type: "expire", reservation_id: "cart:1", now_ms });

  it("releases a due, unpinned hold as expired", () => {
    const when = given(stock(10, 4), { hold: holdOf(4) }).when(expire(1_000));
    when.thenMoves(moveOf("released", 4, { reservation_id: "cart:1", reason: "expired" }));
    when.thenRecords({ hold: holdOf(0) });
  });

  it("leaves a hold that is pinned, not yet due, or gone", () => {
    given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-1" }) }).when(expire(5_000)).thenRecords({});
    given(stock(10, 4), { hold: holdOf(4) }).when(expire(999)).thenRecords({});
    given(stock(10)).when(expire(5_000)).thenMoves();
  });
});

describe("the two-phase commit", () => {
  const prepare = (quantity: number): Command => ({ type: "prepare_commit", ...ids, quantity });
  const commit: Command = { type: "commit", ...ids };

  it("prepare pins a hold of exactly the quantity, and again for the same order", () => {
    given(stock(10, 4), { hold: holdOf(4) }).when(prepare(4)).thenRecords({ hold: holdOf(4, { pinned_order_id: "order-1" }) });
    given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-1" }) })
      .when(prepare(4))
      .thenRecords({ hold: holdOf(4, { pinned_order_id: "order-1" }) });
  });

  it("prepare refuses a hold that is gone, of another quantity or pinned by another order", () => {
    const gone = { code: "hold_gone", reservation_id: "cart:1" };
    given(stock(10)).when(prepare(4)).thenRefused(gone);
    given(stock(10, 3), { hold: holdOf(3) }).when(prepare(4)).thenRefused(gone);
    given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-2" }) }).when(prepare(4)).thenRefused(gone);
  });

  it("prepare and commit change nothing once the order took the hold", () => {
    given(stock(10, 0, 4), { line: lineOf(4) }).when(prepare(4)).thenRecords({});
    given(stock(10, 0, 4), { line: lineOf(4) }).when(commit).thenMoves();
  });

  it("abort unpins a hold pinned for this order, with the deadline it is given", () => {
    const abort: Command = { type: "abort_commit", ...ids, expires_at_ms: 9_000 };
    given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-1" }) })
      .when(abort)
      .thenRecords({ hold: holdOf(4, { expires_at_ms: 9_000 }) });
    given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-2" }) }).when(abort).thenRecords({});
  });

  it("commit turns the whole pinned hold into the order's committed line", () => {
    const when = given(stock(10, 4), { hold: holdOf(4, { pinned_order_id: "order-1" }) }).when(commit);
    when.thenMoves(moveOf("committed", 4, ids));
    when.thenRecords({ hold: holdOf(0), line: lineOf(4) });
    expect(when.thenStock()).toEqual({ on_hand: 10, reserved: 0, committed: 4, version: 2, incoming: 0 });
  });

  it("commit refuses a hold that was never prepared for this order", () => {
    const refusal = { code: "hold_not_prepared", reservation_id: "cart:1" };
    given(stock(10, 4), { hold: holdOf(4) }).when(commit).thenRefused(refusal);
    given(stock(10)).when(commit).thenRefused(refusal);
    given(stock(10, 0, 4), { line: lineOf(4, { reservation_id: "cart:2" }) }).when(commit).thenRefused(refusal);
  });
});

describe("order totals", () => {
  it("fulfil ships committed units out of on_hand", () => {
    const when = given(stock(10, 0, 4), { line: lineOf(4) }).when(totals(3));
    when.thenMoves(moveOf("fulfilled", 3, ids));
    when.thenRecords({ line: lineOf(4, { fulfilled: 3 }) });
    expect(when.thenStock()).toMatchObject({ on_hand: 7, reserved: 0, committed: 1 });
  });

  it("cancel returns committed units to available; return restocks on_hand", () => {
    expect(available(given(stock(10, 0, 4), { line: lineOf(4) }).when(totals(0, 4)).thenStock())).toBe(10);
    const returned = given(stock(7), { line: lineOf(3, { fulfilled: 3 }) }).when(totals(3, 0, 2));
    expect(returned.thenStock().on_hand).toBe(9);
  });

  it("moves cancel, fulfil, return in that order, each checked against the balances before it", () => {
    given(stock(10, 0, 5), { line: lineOf(5) })
      .when(totals(3, 2, 1))
      .thenMoves(moveOf("cancelled", 2, ids), moveOf("fulfilled", 3, ids), moveOf("returned", 1, ids));
  });

  it("totals only grow: a target at or below the line moves nothing and changes no record", () => {
    const line = lineOf(4, { fulfilled: 2 });
    given(stock(8, 0, 2), { line }).when(totals(2)).thenRecords({});
    given(stock(8, 0, 2), { line }).when(totals(1)).thenMoves();
  });

  it("refuses more than the line committed, returns past fulfilled, and (v1.2) a fulfil past on_hand at its location", () => {
    given(stock(10, 0, 4), { line: lineOf(4) })
      .when(totals(3, 2))
      .thenRefused({ code: "quantity_exceeds_order", requested: 5, limit: 4 });
    given(stock(10, 0, 4), { line: lineOf(4, { fulfilled: 1 }) })
      .when(totals(1, 0, 2))
      .thenRefused({ code: "quantity_exceeds_order", requested: 2, limit: 1 });
    given(stock(1, 0, 4), { line: lineOf(4) })
      .when(totals(2))
      .thenRefused({ code: "insufficient_stock", requested: 2, available: 1, location: "default" });
  });

  it("refuses an order with no line here", () => {
    given(stock(10)).when(totals(1)).thenRefused({ code: "no_order_line", order_id: "order-1" });
  });
});

describe("fold", () => {
  it("keeps available = on_hand - reserved - committed through a whole life", () => {
    let s: Snapshot = EMPTY_SNAPSHOT;
    const life: Array<[Command, Partial<SkuState>]> = [
      [receive(10), {}],
      [hold(4), {}],
      [hold(6), { hold: holdOf(4) }],
      [{ type: "commit", ...ids }, { hold: holdOf(6, { pinned_order_id: "order-1" }) }],
      [totals(5, 1, 2), { line: lineOf(6) }],
      [adjust(-6), {}],
    ];
    for (const [command, records] of life) {
      const decision = decide({ stock: s, at: atDefault(s), hold: null, line: null, policy: NO_BACKORDERS, incoming: null, ...records }, command);
      if (!decision.ok) throw new Error(`refused: ${JSON.stringify(decision.refusal)}`);
      s = fold(s, decision.moves);
      expect(s.reserved).toBeGreaterThanOrEqual(0);
      expect(s.committed).toBeGreaterThanOrEqual(0);
      expect(available(s)).toBeGreaterThanOrEqual(0);
    }
    expect(s).toEqual({ on_hand: 1, reserved: 0, committed: 0, version: 8, incoming: 0 });
  });
});
