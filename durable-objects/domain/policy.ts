/**
 * (v1.2) How far a SKU may promise past its shelf: its backorder limit, and with preorders its incoming
 * units too. Pure arithmetic over the balances by location, shared by the hold decider (what a hold may
 * take), the Stock object (`available_to_promise`) and the read model (`short`).
 */
import type { Balances, LocationBalances } from "./balances";

export interface StockPolicy {
  /** Units that reservations may take beyond the shelf (0: none). */
  backorder_limit: number;
  /** Whether reservations may also take units that are incoming. */
  preorder: boolean;
}

export const NO_BACKORDERS: StockPolicy = Object.freeze({ backorder_limit: 0, preorder: false });

const availableOf = (b: Balances) => b.on_hand - b.reserved - b.committed;

/** How far below zero holds may take the SKU's available: −backorder_limit, or −(incoming + limit) with preorders. */
export function promiseDepth(policy: StockPolicy, incoming: number): number {
  return policy.backorder_limit + (policy.preorder ? incoming : 0);
}

/**
 * What holds may still take beyond the shelf: the depth, less every unit already promised past a shelf (a
 * location whose available is below zero, by a backorder or by a count that found it short).
 */
export function backorderRoom(policy: StockPolicy, incoming: number, at: LocationBalances): number {
  let promisedPast = 0;
  for (const b of at.values()) promisedPast += Math.max(-availableOf(b), 0);
  return Math.max(promiseDepth(policy, incoming) - promisedPast, 0);
}

/** What a new reservation could take now: every location's free units, and the backorder room. */
export function availableToPromise(policy: StockPolicy, incoming: number, at: LocationBalances): number {
  let free = 0;
  for (const b of at.values()) free += Math.max(availableOf(b), 0);
  return free + backorderRoom(policy, incoming, at);
}

/** Short: the SKU's available is below what its policy lets holds take it to (a count found fewer units). */
export function isShort(policy: StockPolicy, incoming: number, totalAvailable: number): boolean {
  return totalAvailable < -promiseDepth(policy, incoming);
}
