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

export type Command =
  | { type: "receive"; quantity: number; reason: string | null; ref: string | null }
  | {
      type: "adjust";
      delta: number;
      reason: string;
      ref: string | null;
      expected_version: number | null;
    }
  /**
   * Set the quantity held for a reservation to `quantity` (0 releases it). `held` is what the reservation
   * holds of this SKU now; only the difference moves.
   */
  | {
      type: "hold";
      reservation_id: string;
      quantity: number;
      held: number;
      release_reason: ReleaseReason;
    }
  /** Turn everything a reservation holds of this SKU into an order's committed quantity. */
  | { type: "commit"; reservation_id: string; order_id: string; held: number }
  /**
   * Bring an order's line for this SKU to the target totals (fulfilled, cancelled, returned). Totals only
   * grow, so a target sent twice appends nothing the second time.
   */
  | { type: "settle"; reservation_id: string; order_id: string; line: OrderLine; target: OrderTotals }
  | { type: "cancel"; reservation_id: string; order_id: string; quantity: number }
  | { type: "fulfil"; reservation_id: string; order_id: string; quantity: number }
  | { type: "return"; reservation_id: string; order_id: string; quantity: number };

/** What an order has done with the units it committed of one SKU. */
export interface OrderTotals {
  fulfilled: number;
  cancelled: number;
  returned: number;
}

export interface OrderLine extends OrderTotals {
  committed: number;
}

export type Refusal =
  | { code: "insufficient_stock"; requested: number; available: number }
  | { code: "version_conflict"; current_version: number }
  /** The command asks for more than the order's line or this SKU's committed stock can give. */
  | { code: "quantity_exceeds_order"; requested: number; limit: number };

export type Decision = { ok: true; moves: MoveDraft[] } | { ok: false; refusal: Refusal };

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

const accept = (...moves: MoveDraft[]): Decision => ({ ok: true, moves });
const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });

export function decide(state: Snapshot, command: Command): Decision {
  const free = available(state);
  switch (command.type) {
    case "receive":
      return accept(move("received", command.quantity, { reason: command.reason, ref: command.ref }));

    case "adjust":
      if (command.expected_version !== null && command.expected_version !== state.version) {
        return refuse({ code: "version_conflict", current_version: state.version });
      }
      if (free + command.delta < 0) {
        return refuse({ code: "insufficient_stock", requested: -command.delta, available: free });
      }
      return accept(move("adjusted", command.delta, { reason: command.reason, ref: command.ref }));

    case "hold": {
      const diff = command.quantity - command.held;
      const ids = { reservation_id: command.reservation_id };
      if (diff === 0) return accept();
      if (diff < 0) return accept(move("released", -diff, { ...ids, reason: command.release_reason }));
      if (diff > free) {
        return refuse({
          code: "insufficient_stock",
          requested: command.quantity,
          available: free + command.held,
        });
      }
      return accept(move("reserved", diff, ids));
    }

    case "commit":
      if (command.held === 0) return accept();
      return accept(
        move("committed", command.held, {
          reservation_id: command.reservation_id,
          order_id: command.order_id,
        }),
      );

    case "cancel":
    case "fulfil": {
      const limit = command.type === "fulfil" ? Math.min(state.committed, state.on_hand) : state.committed;
      if (command.quantity > limit) {
        return refuse({ code: "quantity_exceeds_order", requested: command.quantity, limit });
      }
      return accept(
        move(command.type === "fulfil" ? "fulfilled" : "cancelled", command.quantity, {
          reservation_id: command.reservation_id,
          order_id: command.order_id,
        }),
      );
    }

    case "settle":
      return settle(state, command);

    case "return":
      return accept(
        move("returned", command.quantity, {
          reservation_id: command.reservation_id,
          order_id: command.order_id,
        }),
      );
  }
}

/** Target totals as cancel, fulfil and return moves, each checked against the balances before it. */
function settle(state: Snapshot, command: Extract<Command, { type: "settle" }>): Decision {
  const { line, reservation_id, order_id } = command;
  const target: OrderTotals = {
    fulfilled: Math.max(line.fulfilled, command.target.fulfilled),
    cancelled: Math.max(line.cancelled, command.target.cancelled),
    returned: Math.max(line.returned, command.target.returned),
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
  const quantities: Array<["cancel" | "fulfil" | "return", number]> = [
    ["cancel", target.cancelled - line.cancelled],
    ["fulfil", target.fulfilled - line.fulfilled],
    ["return", target.returned - line.returned],
  ];
  const moves: MoveDraft[] = [];
  let balances: Snapshot = state;
  for (const [type, quantity] of quantities) {
    if (quantity === 0) continue;
    const decision = decide(balances, { type, reservation_id, order_id, quantity });
    if (!decision.ok) return decision;
    for (const m of decision.moves) {
      balances = { ...evolve(balances, m), version: balances.version + 1 };
      moves.push(m);
    }
  }
  return accept(...moves);
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
