/**
 * Cancel, fulfil and return as moves, with no I/O: an order line's totals taken to their targets, at the
 * location named or spread over the line's allocations, each step checked against the balances there.
 */
import { balancesAt, evolve, type Allocation, type LocationBalances, type MoveDraft } from "./balances";
import type { CommittedLine, LocationTotals, OrderTotals, Refusal } from "./ledger";
import { move } from "./move-draft";

/** The moves that take a line to its target totals and the line after them (null when nothing moves). */
export type StepMoves = { ok: true; moves: MoveDraft[]; line: CommittedLine | null } | { ok: false; refusal: Refusal };

const refused = (refusal: Refusal): { ok: false; refusal: Refusal } => ({ ok: false, refusal });

export type OrderStep = "cancelled" | "fulfilled" | "returned";

/**
 * Target totals as cancel, fulfil and return moves, at the location named or spread over the line's
 * allocations in order (returns: where the units were fulfilled from, first first), each checked against the
 * balances at its location before it.
 */
export function orderStepMoves(at: LocationBalances, line: CommittedLine, wanted: OrderTotals, named: string | null): StepMoves {
  const target: OrderTotals = {
    fulfilled: Math.max(line.fulfilled, wanted.fulfilled),
    cancelled: Math.max(line.cancelled, wanted.cancelled),
    returned: Math.max(line.returned, wanted.returned),
  };
  if (target.fulfilled + target.cancelled > line.committed) {
    return refused({
      code: "quantity_exceeds_order",
      requested: target.fulfilled + target.cancelled,
      limit: line.committed,
    });
  }
  if (target.returned > target.fulfilled) {
    return refused({ code: "quantity_exceeds_order", requested: target.returned, limit: target.fulfilled });
  }
  const ids = { reservation_id: line.reservation_id, order_id: line.order_id };
  const moves: MoveDraft[] = [];
  const balances = new Map(at);
  let allocations = line.allocations.map((a) => ({ ...a }));
  const steps: Array<[OrderStep, number]> = [
    ["cancelled", target.cancelled - line.cancelled],
    ["fulfilled", target.fulfilled - line.fulfilled],
    ["returned", target.returned - line.returned],
  ];
  for (const [type, quantity] of steps) {
    if (quantity === 0) continue;
    const spread = spreadOrderStep(type, quantity, allocations, named);
    if (!spread.ok) return spread;
    allocations = spread.allocations;
    for (const part of spread.parts) {
      const here = balancesAt(balances, part.location);
      if (type === "fulfilled" && part.quantity > here.on_hand) {
        return refused({ code: "insufficient_stock", requested: part.quantity, available: Math.max(here.on_hand, 0), location: part.location });
      }
      const limit = type === "returned" ? Number.POSITIVE_INFINITY : here.committed;
      if (part.quantity > limit) return refused({ code: "quantity_exceeds_order", requested: part.quantity, limit });
      const m = move(type, part.quantity, part.location, ids);
      balances.set(part.location, evolve(here, m));
      moves.push(m);
    }
  }
  return { ok: true, moves, line: moves.length === 0 ? null : { ...line, ...target, allocations } };
}

/**
 * Where one order step's units go: the named location, or over the allocations in order (returns: where the
 * units were fulfilled from, first first). The Order object and the SKU's object both use it, so the
 * allocations an order shows are the ones the product applied.
 */
export function spreadOrderStep(
  type: OrderStep,
  quantity: number,
  allocations: LocationTotals[],
  named: string | null,
): { ok: true; parts: Allocation[]; allocations: LocationTotals[] } | { ok: false; refusal: Refusal } {
  // What each location's share of the line can still take of this step.
  const room = (a: LocationTotals) =>
    type === "returned" ? a.fulfilled - a.returned : a.committed - a.fulfilled - a.cancelled;
  const next = allocations.map((a) => ({ ...a }));
  const parts: Allocation[] = [];
  if (named !== null && type === "returned") {
    // Units may come back to any location; the line records them there.
    let share = next.find((a) => a.location === named);
    if (!share) next.push((share = { location: named, committed: 0, fulfilled: 0, cancelled: 0, returned: 0 }));
    share.returned += quantity;
    return { ok: true, parts: [{ location: named, quantity }], allocations: next };
  }
  let left = quantity;
  for (const share of next) {
    if (left === 0) break;
    if (named !== null && share.location !== named) continue;
    const take = Math.min(left, room(share));
    if (take <= 0) continue;
    share[type] += take;
    parts.push({ location: share.location, quantity: take });
    left -= take;
  }
  if (left > 0) {
    const limit = allocations.filter((a) => named === null || a.location === named).reduce((sum, a) => sum + Math.max(room(a), 0), 0);
    return { ok: false, refusal: { code: "quantity_exceeds_order", requested: quantity, limit } };
  }
  return { ok: true, parts, allocations: next };
}
