// The decider on its own: every rule of API.md's model and every refusal, with no storage involved.
import { describe, expect, it } from "vitest";
import {
  available,
  decide,
  EMPTY_SNAPSHOT,
  evolve,
  type Command,
  type MoveDraft,
  type Snapshot,
} from "../../durable-objects/domain/ledger";

const state = (on_hand: number, reserved = 0, committed = 0, version = 1): Snapshot => ({
  on_hand,
  reserved,
  committed,
  version,
});

function apply(s: Snapshot, command: Command): Snapshot {
  const decision = decide(s, command);
  if (!decision.ok) throw new Error(`refused: ${JSON.stringify(decision.refusal)}`);
  return decision.moves.reduce(
    (acc, m: MoveDraft) => ({ ...evolve(acc, m), version: acc.version + 1 }),
    s,
  );
}

type HoldCommand = Extract<Command, { type: "hold" }>;
const hold = (reservation_id: string, quantity: number, held = 0): HoldCommand => ({
  type: "hold",
  reservation_id,
  quantity,
  held,
  release_reason: "updated",
});

describe("receive", () => {
  it("adds to on_hand with a received move carrying reason and ref", () => {
    const d = decide(EMPTY_SNAPSHOT, { type: "receive", quantity: 5, reason: "po", ref: "PO-1" });
    expect(d).toEqual({
      ok: true,
      moves: [{ type: "received", quantity: 5, reservation_id: null, order_id: null, reason: "po", ref: "PO-1" }],
    });
    expect(apply(EMPTY_SNAPSHOT, { type: "receive", quantity: 5, reason: null, ref: null })).toMatchObject({
      on_hand: 5,
      reserved: 0,
      committed: 0,
    });
  });
});

describe("adjust", () => {
  const adjust = (delta: number, expected_version: number | null = null): Command => ({
    type: "adjust",
    delta,
    reason: "count",
    ref: null,
    expected_version,
  });

  it("moves on_hand by the signed delta", () => {
    expect(apply(state(10), adjust(-3)).on_hand).toBe(7);
    expect(apply(state(10), adjust(4)).on_hand).toBe(14);
    const d = decide(state(10), adjust(-3));
    expect(d.ok && d.moves[0]).toMatchObject({ type: "adjusted", quantity: -3, reason: "count" });
  });

  it("may take available exactly to zero", () => {
    expect(available(apply(state(10, 4, 2), adjust(-4)))).toBe(0);
  });

  it("refuses to take available below zero, reporting -delta and what is available", () => {
    expect(decide(state(10, 4, 2), adjust(-5))).toEqual({
      ok: false,
      refusal: { code: "insufficient_stock", requested: 5, available: 4 },
    });
  });

  it("refuses a stale expected_version before looking at stock", () => {
    expect(decide(state(10, 0, 0, 7), adjust(-100, 6))).toEqual({
      ok: false,
      refusal: { code: "version_conflict", current_version: 7 },
    });
    expect(decide(state(10, 0, 0, 7), adjust(-1, 7)).ok).toBe(true);
    expect(decide(EMPTY_SNAPSHOT, adjust(3, 0)).ok).toBe(true);
  });
});

describe("hold (reservation lines)", () => {
  it("reserves only the difference when a hold grows", () => {
    const d = decide(state(10, 2), hold("cart:1", 5, 2));
    expect(d.ok && d.moves).toEqual([
      { type: "reserved", quantity: 3, reservation_id: "cart:1", order_id: null, reason: null, ref: null },
    ]);
  });

  it("releases only the difference when a hold shrinks, with the given reason", () => {
    const d = decide(state(10, 5), { ...hold("cart:1", 1, 5), release_reason: "updated" });
    expect(d.ok && d.moves).toEqual([
      { type: "released", quantity: 4, reservation_id: "cart:1", order_id: null, reason: "updated", ref: null },
    ]);
    const gone = decide(state(10, 5), { ...hold("cart:1", 0, 5), release_reason: "expired" });
    expect(gone.ok && gone.moves[0]).toMatchObject({ type: "released", quantity: 5, reason: "expired" });
  });

  it("appends nothing when the hold is unchanged, so holding again never counts twice", () => {
    expect(decide(state(10, 3), hold("cart:1", 3, 3))).toEqual({ ok: true, moves: [] });
  });

  it("refuses growth past available; available counts what this reservation already holds", () => {
    expect(decide(state(10, 8), hold("cart:1", 6, 3))).toEqual({
      ok: false,
      refusal: { code: "insufficient_stock", requested: 6, available: 5 },
    });
    expect(decide(state(10, 8), hold("cart:1", 5, 3)).ok).toBe(true);
  });
});

describe("orders", () => {
  const ids = { reservation_id: "cart:1", order_id: "order-1" };

  it("commit turns the whole hold into committed", () => {
    const after = apply(state(10, 4), { type: "commit", ...ids, held: 4 });
    expect(after).toMatchObject({ on_hand: 10, reserved: 0, committed: 4 });
    expect(decide(state(10, 4), { type: "commit", ...ids, held: 0 })).toEqual({ ok: true, moves: [] });
  });

  it("fulfil ships committed units out of on_hand", () => {
    const after = apply(state(10, 0, 4), { type: "fulfil", ...ids, quantity: 3 });
    expect(after).toMatchObject({ on_hand: 7, reserved: 0, committed: 1 });
  });

  it("cancel returns committed units to available", () => {
    const before = state(10, 0, 4);
    const after = apply(before, { type: "cancel", ...ids, quantity: 4 });
    expect(available(after) - available(before)).toBe(4);
  });

  it("return restocks on_hand", () => {
    expect(apply(state(7), { type: "return", ...ids, quantity: 2 }).on_hand).toBe(9);
  });

  it("refuses to cancel or fulfil more than is committed", () => {
    expect(decide(state(10, 0, 2), { type: "cancel", ...ids, quantity: 3 })).toEqual({
      ok: false,
      refusal: { code: "quantity_exceeds_order", requested: 3, limit: 2 },
    });
    expect(decide(state(10, 0, 2), { type: "fulfil", ...ids, quantity: 3 }).ok).toBe(false);
  });
});

describe("evolve", () => {
  it("keeps available = on_hand - reserved - committed through a whole life", () => {
    let s: Snapshot = EMPTY_SNAPSHOT;
    const ids = { reservation_id: "r", order_id: "o" };
    const steps: Command[] = [
      { type: "receive", quantity: 10, reason: null, ref: null },
      hold("r", 4),
      hold("r", 6, 4),
      { type: "commit", ...ids, held: 6 },
      { type: "fulfil", ...ids, quantity: 5 },
      { type: "cancel", ...ids, quantity: 1 },
      { type: "return", ...ids, quantity: 2 },
      { type: "adjust", delta: -6, reason: "shrinkage", ref: null, expected_version: null },
    ];
    for (const step of steps) {
      s = apply(s, step);
      expect(s.reserved).toBeGreaterThanOrEqual(0);
      expect(s.committed).toBeGreaterThanOrEqual(0);
      expect(available(s)).toBeGreaterThanOrEqual(0);
    }
    expect(s).toEqual({ on_hand: 1, reserved: 0, committed: 0, version: 8 });
  });
});
