/**
 * The rules of one SKU's stock, with no I/O: `decide` turns a command and the current snapshot into the
 * moves to append (or a refusal), `evolve` folds a move into the balances. The Durable Object around it
 * only loads the snapshot, calls these two inside one transaction and stores what they return.
 */
import { allocateBeyond, mergeAllocations, releaseFromLast } from "./allocation";
import { decideIncoming, receiptAgainst, type IncomingCommand, type IncomingRecord } from "./incoming";
import { move } from "./move-draft";
import { backorderRoom, type StockPolicy } from "./policy";
import { available, balancesAt, type Allocation, type LocationBalances, type MoveDraft, type ReleaseReason, type Snapshot } from "./balances";
import { orderStepMoves } from "./order-steps";

/** A reservation's hold on this SKU; quantity 0 means it holds nothing (the record is gone). */
export interface Hold {
  reservation_id: string;
  quantity: number;
  /** (v1.2) Where the quantity is held, in the order it was allocated; their sum is `quantity`. */
  allocations: Allocation[];
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

/** (v1.2) An order's totals at one location. */
export interface LocationTotals extends OrderTotals {
  location: string;
  committed: number;
}

/** What one order committed of this SKU, and its totals since, in all and (v1.2) by location. */
export interface CommittedLine extends OrderTotals {
  order_id: string;
  reservation_id: string;
  committed: number;
  /** In the order the units were allocated; their sums are the line's totals. */
  allocations: LocationTotals[];
}

/** Everything a command may look at: the balances, and the hold or order line the command names. */
export interface SkuState {
  stock: Snapshot;
  /** (v1.2) The balances by location. */
  at: LocationBalances;
  /** The named reservation's hold here (null when it holds nothing). */
  hold: Hold | null;
  /** The named order's line here (null when that order took nothing of this SKU). */
  line: CommittedLine | null;
  /** (v1.2) The SKU's backorder and preorder settings. */
  policy: StockPolicy;
  /** (v1.2) The incoming the command names (null when it names none, or none by that id exists). */
  incoming: IncomingRecord | null;
  /** (v1.2) A bundle has no stock of its own: nothing may add to it or hold it. */
  bundle?: boolean;
}

/** Where an operator command acts, and whether the request named it (a shortfall then says where). */
export interface At {
  location: string;
  named: boolean;
}

/**
 * (v1.2) Where a hold may take stock: the one location a line names, or else the active locations in
 * allocation order (priority, then id).
 */
export type HoldPlace = { location: string } | { order: readonly string[] };

export type Command =
  /** (v1.2) With `incoming_id`, the receipt counts against that incoming, and is made at its location unless `at` is named. */
  | { type: "receive"; quantity: number; reason: string | null; ref: string | null; at: At; incoming_id: string | null }
  /** Refused past the location's available unless (v1.2) `allow_short`; never below 0 on hand. */
  | {
      type: "adjust";
      delta: number;
      reason: string;
      ref: string | null;
      expected_version: number | null;
      at: At;
      allow_short: boolean;
    }
  /**
   * A stocktake: on_hand becomes what was counted, by one `adjusted` move of the difference (none if equal).
   * (v1.2) Never refused for stock: the shelf holds what it holds, even below reserved + committed.
   */
  | {
      type: "count";
      on_hand: number;
      reason: string;
      ref: string | null;
      expected_version: number | null;
      at: At;
    }
  /** (v1.2) Units from one location to another: one `transferred` move, totals unchanged. */
  | {
      type: "transfer";
      from: string;
      to: string;
      quantity: number;
      reason: string | null;
      ref: string | null;
      expected_version: number | null;
    }
  /** Set what a reservation holds to `quantity` (0 releases it); only the difference moves. */
  | {
      type: "hold";
      reservation_id: string;
      quantity: number;
      place: HoldPlace;
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
  | { type: "apply_order_totals"; order_id: string; target: OrderTotals; location: string | null }
  /** (v1.2) Declare, change or cancel units on their way. */
  | IncomingCommand;

export type Refusal =
  | { code: "insufficient_stock"; requested: number; available: number; location?: string }
  | { code: "version_conflict"; current_version: number }
  /** The command asks for more than the order's line or this SKU's committed stock can give. */
  | { code: "quantity_exceeds_order"; requested: number; limit: number }
  /** The hold is pinned by a commit under way, so its quantity may not change. */
  | { code: "hold_pinned"; reservation_id: string }
  /** The hold a commit was about to pin is gone or no longer what the reservation says. */
  | { code: "hold_gone"; reservation_id: string }
  | { code: "hold_not_prepared"; reservation_id: string }
  | { code: "no_order_line"; order_id: string }
  | { code: "incoming_not_found"; incoming_id: string }
  /** The incoming is received or cancelled, or would drop below what it already received. */
  | { code: "incoming_closed"; incoming_id: string; message: string }
  /** (v1.2) The SKU is a bundle: its components have the stock. */
  | { code: "is_bundle" };

/** Commands that would give a SKU stock or hold it: a bundle refuses them. Releases and order steps pass. */
const STOCKING: ReadonlySet<Command["type"]> = new Set(["receive", "adjust", "count", "expect", "transfer", "hold"]);

/**
 * What a command decided: the moves to append, and the hold or order line as they are after it (absent
 * when unchanged).
 */
export type Decision =
  | { ok: true; moves: MoveDraft[]; hold?: Hold; line?: CommittedLine; incoming?: IncomingRecord }
  | { ok: false; refusal: Refusal };

const accept = (moves: MoveDraft[] = [], records: { hold?: Hold; line?: CommittedLine; incoming?: IncomingRecord } = {}): Decision => ({
  ok: true,
  moves,
  ...records,
});
const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });

export function decide(state: SkuState, command: Command): Decision {
  const { stock, at, hold, line } = state;
  if (state.bundle && STOCKING.has(command.type) && !(command.type === "hold" && command.quantity === 0)) {
    return refuse({ code: "is_bundle" });
  }
  switch (command.type) {
    case "receive": {
      const { quantity, reason, ref } = command;
      if (command.incoming_id === null) return accept([move("received", quantity, command.at.location, { reason, ref })]);
      return receiptAgainst(state.incoming, command.incoming_id, quantity, command.at, { reason, ref });
    }

    case "adjust":
      return adjustBy(stock, at, command.delta, command);

    case "count":
      return adjustBy(stock, at, command.on_hand - balancesAt(at, command.at.location).on_hand, { ...command, allow_short: true });

    case "expect":
    case "cancel_incoming":
      return decideIncoming(state.incoming, command);

    case "transfer": {
      const { from, to, quantity, expected_version } = command;
      if (expected_version !== null && expected_version !== stock.version) {
        return refuse({ code: "version_conflict", current_version: stock.version });
      }
      const free = available(balancesAt(at, from));
      if (quantity > free) return refuse({ code: "insufficient_stock", requested: quantity, available: Math.max(free, 0), location: from });
      return accept([move("transferred", quantity, from, { to_location: to, reason: command.reason, ref: command.ref })]);
    }

    case "hold":
      return holdTo(state, command);

    case "expire":
      if (!hold || hold.pinned_order_id || hold.expires_at_ms > command.now_ms) return accept();
      return accept(allocationMoves(hold.reservation_id, hold.allocations, [], "expired"), {
        hold: { ...hold, quantity: 0, allocations: [] },
      });

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
      const moves = hold.allocations.map((a) => move("committed", a.quantity, a.location, { reservation_id, order_id }));
      return accept(moves, {
        hold: { ...hold, quantity: 0, allocations: [], pinned_order_id: null },
        line: {
          order_id,
          reservation_id,
          committed: hold.quantity,
          fulfilled: 0,
          cancelled: 0,
          returned: 0,
          allocations: hold.allocations.map((a) => ({ location: a.location, committed: a.quantity, fulfilled: 0, cancelled: 0, returned: 0 })),
        },
      });
    }

    case "apply_order_totals":
      if (!line) return refuse({ code: "no_order_line", order_id: command.order_id });
      const steps = orderStepMoves(at, line, command.target, command.location);
      if (!steps.ok) return refuse(steps.refusal);
      return steps.line === null ? accept() : accept(steps.moves, { line: steps.line });
  }
}

/**
 * An `adjusted` move of `delta` at a location (none for 0), refused by a stale version, below 0 on hand, or
 * (unless `allow_short`) if the location's available would fall below 0.
 */
function adjustBy(
  stock: Snapshot,
  at: LocationBalances,
  delta: number,
  command: { reason: string; ref: string | null; expected_version: number | null; at: At; allow_short: boolean },
): Decision {
  const { reason, ref, expected_version } = command;
  if (expected_version !== null && expected_version !== stock.version) {
    return refuse({ code: "version_conflict", current_version: stock.version });
  }
  const { location, named } = command.at;
  const here = balancesAt(at, location);
  const where = named ? { location } : {};
  if (here.on_hand + delta < 0) {
    return refuse({ code: "insufficient_stock", requested: -delta, available: here.on_hand, ...where });
  }
  const free = available(here);
  if (delta < 0 && free + delta < 0 && !command.allow_short) {
    return refuse({ code: "insufficient_stock", requested: -delta, available: Math.max(free, 0), ...where });
  }
  return accept(delta === 0 ? [] : [move("adjusted", delta, location, { reason, ref })]);
}

/**
 * A hold set to `quantity`. Named a location, it is held there alone (what it held elsewhere is released).
 * Otherwise growth is allocated over the given locations (allocation.ts's rule) after what it already
 * holds, and a shrink releases from the last allocation first. Only differences move.
 */
function holdTo(state: SkuState, command: Extract<Command, { type: "hold" }>): Decision {
  const { at, hold } = state;
  // (v1.2) Units a hold may take past the shelves, by the SKU's backorder and preorder settings.
  const room = backorderRoom(state.policy, state.stock.incoming, at);
  const { reservation_id, quantity, place } = command;
  const current = hold?.allocations ?? [];
  const held = hold?.quantity ?? 0;
  const free = (location: string) => available(balancesAt(at, location));
  if (hold?.pinned_order_id) {
    // A commit is under way: only its deadline may change, never what or where it holds.
    if (hold.quantity !== quantity) return refuse({ code: "hold_pinned", reservation_id });
    return accept([], { hold: { ...hold, expires_at_ms: command.expires_at_ms } });
  }
  let target: Allocation[];
  if ("location" in place) {
    const there = current.find((a) => a.location === place.location)?.quantity ?? 0;
    const canTake = Math.max(free(place.location), 0) + room;
    if (quantity - there > canTake) {
      return refuse({ code: "insufficient_stock", requested: quantity, available: canTake + there, location: place.location });
    }
    target = quantity > 0 ? [{ location: place.location, quantity }] : [];
  } else if (quantity > held) {
    const growth = allocateBeyond(quantity - held, free, place.order, room);
    if (!growth) {
      const onShelves = place.order.reduce((sum, location) => sum + Math.max(free(location), 0), 0);
      return refuse({ code: "insufficient_stock", requested: quantity, available: onShelves + (place.order.length > 0 ? room : 0) + held });
    }
    target = mergeAllocations(current, growth);
  } else {
    target = releaseFromLast(current, held - quantity);
  }
  const next: Hold = {
    reservation_id,
    quantity,
    allocations: target,
    expires_at_ms: command.expires_at_ms,
    pinned_order_id: null,
  };
  return accept(allocationMoves(reservation_id, current, target, command.release_reason), { hold: next });
}

/** `reserved` and `released` moves that take a hold from `current` to `target`, location by location. */
function allocationMoves(reservation_id: string, current: readonly Allocation[], target: readonly Allocation[], reason: ReleaseReason): MoveDraft[] {
  const before = new Map(current.map((a) => [a.location, a.quantity]));
  const after = new Map(target.map((a) => [a.location, a.quantity]));
  const released = [...current]
    .reverse()
    .filter((a) => (after.get(a.location) ?? 0) < a.quantity)
    .map((a) => move("released", a.quantity - (after.get(a.location) ?? 0), a.location, { reservation_id, reason }));
  const reserved = target
    .filter((a) => a.quantity > (before.get(a.location) ?? 0))
    .map((a) => move("reserved", a.quantity - (before.get(a.location) ?? 0), a.location, { reservation_id }));
  return [...released, ...reserved];
}
