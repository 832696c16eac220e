/**
 * The rules of one SKU's stock, with no I/O: `decide` turns a command and the current snapshot into the
 * moves to append (or a refusal), `evolve` folds a move into the balances. The Durable Object around it
 * only loads the snapshot, calls these two inside one transaction and stores what they return.
 */

export const MOVE_TYPES = [
  "received",
  "adjusted",
  "reserved",
  "released",
  "committed",
  "cancelled",
  "fulfilled",
  "returned",
] as const;
export type MoveType = (typeof MOVE_TYPES)[number];

const RELEASE_REASONS = ["updated", "cancelled", "expired", "rolled_back"] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

/** The three stored balances; `available` is always derived from them. */
export interface Balances {
  on_hand: number;
  reserved: number;
  committed: number;
}

/** Balances plus the seq of the last move (0 before the first). */
export interface Snapshot extends Balances {
  version: number;
}

/** A move as decided, before the ledger gives it a seq, a time and its balances. */
export interface MoveDraft {
  type: MoveType;
  /** Positive, except for `adjusted`, where it is the signed delta. */
  quantity: number;
  reservation_id: string | null;
  order_id: string | null;
  reason: string | null;
  ref: string | null;
}

/** A reservation's hold on this SKU; quantity 0 means it holds nothing (the record is gone). */
export interface Hold {
  reservation_id: string;
  quantity: number;
  /** The fallback release time, if the reservation's coordinator never comes back. */
  expires_at_ms: number;
  /** Set while an order's commit is under way: the deadline no longer applies and the quantity is frozen. */
  pinned_order_id: string | null;
}

/** What an order has done with the units it committed of one SKU. */
export interface OrderTotals {
  fulfilled: number;
  cancelled: number;
  returned: number;
}

/** What one order committed of this SKU, and its totals since. */
export interface CommittedLine extends OrderTotals {
  order_id: string;
  reservation_id: string;
  committed: number;
}

/** Everything a command may look at: the balances, and the hold or order line the command names. */
export interface SkuState {
  stock: Snapshot;
  /** The named reservation's hold here (null when it holds nothing). */
  hold: Hold | null;
  /** The named order's line here (null when that order took nothing of this SKU). */
  line: CommittedLine | null;
}

export type Command =
  | { type: "receive"; quantity: number; reason: string | null; ref: string | null }
  | {
      type: "adjust";
      delta: number;
      reason: string;
      ref: string | null;
      expected_version: number | null;
    }
  /** A stocktake: on_hand becomes what was counted, by one `adjusted` move of the difference (none if equal). */
  | {
      type: "count";
      on_hand: number;
      reason: string;
      ref: string | null;
      expected_version: number | null;
    }
  /** Set what a reservation holds to `quantity` (0 releases it); only the difference moves. */
  | {
      type: "hold";
      reservation_id: string;
      quantity: number;
      expires_at_ms: number;
      release_reason: ReleaseReason;
    }
  /** The alarm's check of a hold's own deadline. */
  | { type: "expire"; reservation_id: string; now_ms: number }
  /** First phase of a commit: pin the hold so its deadline can no longer release it. */
  | { type: "prepare_commit"; reservation_id: string; order_id: string; quantity: number }
  /** Undo `prepare_commit`: the hold's deadline applies again. */
  | { type: "abort_commit"; reservation_id: string; order_id: string; expires_at_ms: number }
  /** Second phase: the pinned hold becomes the order's committed line. */
  | { type: "commit"; reservation_id: string; order_id: string }
  /**
   * Bring an order's line to the target totals. Totals only grow, so a target sent twice appends nothing
   * the second time.
   */
  | { type: "apply_order_totals"; order_id: string; target: OrderTotals };

export type Refusal =
  | { code: "insufficient_stock"; requested: number; available: number }
  | { code: "version_conflict"; current_version: number }
  /** The command asks for more than the order's line or this SKU's committed stock can give. */
  | { code: "quantity_exceeds_order"; requested: number; limit: number }
  /** The hold is pinned by a commit under way, so its quantity may not change. */
  | { code: "hold_pinned"; reservation_id: string }
  /** The hold a commit was about to pin is gone or no longer what the reservation says. */
  | { code: "hold_gone"; reservation_id: string }
  | { code: "hold_not_prepared"; reservation_id: string }
  | { code: "no_order_line"; order_id: string };

/**
 * What a command decided: the moves to append, and the hold or order line as they are after it (absent
 * when unchanged).
 */
export type Decision =
  | { ok: true; moves: MoveDraft[]; hold?: Hold; line?: CommittedLine }
  | { ok: false; refusal: Refusal };

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  on_hand: 0,
  reserved: 0,
  committed: 0,
  version: 0,
});

export function available(b: Balances): number {
  return b.on_hand - b.reserved - b.committed;
}

function move(type: MoveType, quantity: number, fields: Partial<MoveDraft> = {}): MoveDraft {
  return {
    type,
    quantity,
    reservation_id: null,
    order_id: null,
    reason: null,
    ref: null,
    ...fields,
  };
}

const accept = (moves: MoveDraft[] = [], records: { hold?: Hold; line?: CommittedLine } = {}): Decision => ({
  ok: true,
  moves,
  ...records,
});
const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });

export function decide(state: SkuState, command: Command): Decision {
  const { stock, hold, line } = state;
  switch (command.type) {
    case "receive":
      return accept([move("received", command.quantity, { reason: command.reason, ref: command.ref })]);

    case "adjust":
      return adjustBy(stock, command.delta, command);

    case "count":
      return adjustBy(stock, command.on_hand - stock.on_hand, command);

    case "hold": {
      const { reservation_id, quantity } = command;
      if (hold?.pinned_order_id && hold.quantity !== quantity) return refuse({ code: "hold_pinned", reservation_id });
      const held = hold?.quantity ?? 0;
      const free = available(stock);
      if (quantity - held > free) {
        return refuse({ code: "insufficient_stock", requested: quantity, available: free + held });
      }
      const next: Hold = {
        reservation_id,
        quantity,
        expires_at_ms: command.expires_at_ms,
        pinned_order_id: hold?.pinned_order_id ?? null,
      };
      return accept(holdMoves(reservation_id, held, quantity, command.release_reason), { hold: next });
    }

    case "expire":
      if (!hold || hold.pinned_order_id || hold.expires_at_ms > command.now_ms) return accept();
      return accept(holdMoves(hold.reservation_id, hold.quantity, 0, "expired"), { hold: { ...hold, quantity: 0 } });

    case "prepare_commit": {
      const { reservation_id, order_id } = command;
      if (line?.reservation_id === reservation_id) return accept();
      if (!hold || hold.quantity !== command.quantity || (hold.pinned_order_id ?? order_id) !== order_id) {
        return refuse({ code: "hold_gone", reservation_id });
      }
      return accept([], { hold: { ...hold, pinned_order_id: order_id } });
    }

    case "abort_commit":
      if (hold?.pinned_order_id !== command.order_id) return accept();
      return accept([], { hold: { ...hold, expires_at_ms: command.expires_at_ms, pinned_order_id: null } });

    case "commit": {
      const { reservation_id, order_id } = command;
      // The order id is claimed for one reservation before any commit, so a line of another is a bug upstream.
      if (line) return line.reservation_id === reservation_id ? accept() : refuse({ code: "hold_not_prepared", reservation_id });
      if (!hold || hold.pinned_order_id !== order_id) return refuse({ code: "hold_not_prepared", reservation_id });
      return accept([move("committed", hold.quantity, { reservation_id, order_id })], {
        hold: { ...hold, quantity: 0, pinned_order_id: null },
        line: { order_id, reservation_id, committed: hold.quantity, fulfilled: 0, cancelled: 0, returned: 0 },
      });
    }

    case "apply_order_totals":
      if (!line) return refuse({ code: "no_order_line", order_id: command.order_id });
      return applyOrderTotals(stock, line, command.target);
  }
}

/** An `adjusted` move of `delta` (none for 0), refused by a stale version or if available would fall below 0. */
function adjustBy(
  stock: Snapshot,
  delta: number,
  { reason, ref, expected_version }: { reason: string; ref: string | null; expected_version: number | null },
): Decision {
  if (expected_version !== null && expected_version !== stock.version) {
    return refuse({ code: "version_conflict", current_version: stock.version });
  }
  const free = available(stock);
  if (free + delta < 0) return refuse({ code: "insufficient_stock", requested: -delta, available: free });
  return accept(delta === 0 ? [] : [move("adjusted", delta, { reason, ref })]);
}

function holdMoves(reservation_id: string, held: number, quantity: number, reason: ReleaseReason): MoveDraft[] {
  if (quantity > held) return [move("reserved", quantity - held, { reservation_id })];
  if (quantity < held) return [move("released", held - quantity, { reservation_id, reason })];
  return [];
}

type OrderStep = "cancelled" | "fulfilled" | "returned";

/** Target totals as cancel, fulfil and return moves, each checked against the balances before it. */
function applyOrderTotals(stock: Snapshot, line: CommittedLine, wanted: OrderTotals): Decision {
  const target: OrderTotals = {
    fulfilled: Math.max(line.fulfilled, wanted.fulfilled),
    cancelled: Math.max(line.cancelled, wanted.cancelled),
    returned: Math.max(line.returned, wanted.returned),
  };
  if (target.fulfilled + target.cancelled > line.committed) {
    return refuse({
      code: "quantity_exceeds_order",
      requested: target.fulfilled + target.cancelled,
      limit: line.committed,
    });
  }
  if (target.returned > target.fulfilled) {
    return refuse({ code: "quantity_exceeds_order", requested: target.returned, limit: target.fulfilled });
  }
  const steps: Array<[OrderStep, number]> = [
    ["cancelled", target.cancelled - line.cancelled],
    ["fulfilled", target.fulfilled - line.fulfilled],
    ["returned", target.returned - line.returned],
  ];
  const ids = { reservation_id: line.reservation_id, order_id: line.order_id };
  const moves: MoveDraft[] = [];
  let balances: Balances = stock;
  for (const [type, quantity] of steps) {
    if (quantity === 0) continue;
    const limit = orderStepLimit(type, balances);
    if (quantity > limit) return refuse({ code: "quantity_exceeds_order", requested: quantity, limit });
    const m = move(type, quantity, ids);
    balances = evolve(balances, m);
    moves.push(m);
  }
  if (moves.length === 0) return accept();
  return accept(moves, { line: { ...line, ...target } });
}

/** What the SKU's balances allow one order step to move, whatever the order's line says. */
function orderStepLimit(type: OrderStep, b: Balances): number {
  switch (type) {
    case "cancelled":
      return b.committed;
    case "fulfilled":
      return Math.min(b.committed, b.on_hand);
    case "returned":
      return Number.POSITIVE_INFINITY;
  }
}

/** The snapshot after `moves`, each taking the next seq. */
export function fold(state: Snapshot, moves: readonly MoveDraft[]): Snapshot {
  return moves.reduce<Snapshot>((s, m) => ({ ...evolve(s, m), version: s.version + 1 }), state);
}

export function evolve(b: Balances, m: MoveDraft): Balances {
  const q = m.quantity;
  switch (m.type) {
    case "received":
    case "returned":
    case "adjusted":
      return { ...b, on_hand: b.on_hand + q };
    case "reserved":
      return { ...b, reserved: b.reserved + q };
    case "released":
      return { ...b, reserved: b.reserved - q };
    case "committed":
      return { ...b, reserved: b.reserved - q, committed: b.committed + q };
    case "cancelled":
      return { ...b, committed: b.committed - q };
    case "fulfilled":
      return { ...b, on_hand: b.on_hand - q, committed: b.committed - q };
  }
}
