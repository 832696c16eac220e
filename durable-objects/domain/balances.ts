/**
 * A SKU's balances and the moves that change them, with no I/O: what a move is, and how the totals and
 * (v1.2) the balances at each location follow from the moves in seq order.
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
  "transferred",
  "expected",
  "expected_cancelled",
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

/** Balances plus the seq of the last move (0 before the first) and (v1.2) the units incoming, not yet received. */
export interface Snapshot extends Balances {
  version: number;
  incoming: number;
}

/** (v1.2) Balances at each location the SKU ever had a move at. Their sums are the snapshot's. */
export type LocationBalances = ReadonlyMap<string, Balances>;

/** A part of a quantity at one location. */
export interface Allocation {
  location: string;
  quantity: number;
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
  /** Where it happens. */
  location: string;
  /** Where a transfer takes the units; null otherwise. */
  to_location: string | null;
  /** (v1.2) The incoming an `expected`, `expected_cancelled` or `received` move concerns; null otherwise. */
  incoming_id: string | null;
  /** (v1.2) What the move changes of the SKU's incoming units (a receipt takes at most what was left open). */
  incoming_delta: number;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  on_hand: 0,
  reserved: 0,
  committed: 0,
  version: 0,
  incoming: 0,
});

export function available(b: Balances): number {
  return b.on_hand - b.reserved - b.committed;
}


const NO_BALANCES: Balances = Object.freeze({ on_hand: 0, reserved: 0, committed: 0 });

/** The balances at `location` (zeros where the SKU never had a move). */
export const balancesAt = (at: LocationBalances, location: string): Balances => at.get(location) ?? NO_BALANCES;

/** The snapshot after `moves`, each taking the next seq. */
export function fold(state: Snapshot, moves: readonly MoveDraft[]): Snapshot {
  return moves.reduce<Snapshot>(
    (s, m) => ({ ...evolve(s, m), version: s.version + 1, incoming: s.incoming + m.incoming_delta }),
    state,
  );
}

/** The totals after one move (a transfer leaves them as they were). */
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
    case "transferred":
    case "expected":
    case "expected_cancelled":
      return b;
  }
}

/** The balances by location after one move: a transfer takes on_hand from one to the other. */
export function evolveAt(at: LocationBalances, m: MoveDraft): Map<string, Balances> {
  const next = new Map(at);
  const here = balancesAt(at, m.location);
  if (m.type === "transferred") {
    const there = balancesAt(at, m.to_location!);
    next.set(m.location, { ...here, on_hand: here.on_hand - m.quantity });
    next.set(m.to_location!, { ...there, on_hand: there.on_hand + m.quantity });
  } else {
    next.set(m.location, evolve(here, m));
  }
  return next;
}
