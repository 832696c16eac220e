/**
 * (v1.2) Which locations a quantity is taken from, and given back to. One rule for every hold: the first
 * location (in allocation order) whose free stock covers the whole quantity takes it all, so it ships as one;
 * if none does, it is split over the locations in that order. A shrink gives back from the last allocation
 * first, so what a hold grew by is exactly what a shrink of the same size releases.
 */
import type { Allocation } from "./balances";

/** `quantity` over `order` by what `free` says each location can give, or null when they cannot together. */
export function allocate(quantity: number, free: (location: string) => number, order: readonly string[]): Allocation[] | null {
  if (quantity <= 0) return [];
  const whole = order.find((location) => free(location) >= quantity);
  if (whole !== undefined) return [{ location: whole, quantity }];
  const parts: Allocation[] = [];
  let left = quantity;
  for (const location of order) {
    const take = Math.min(left, Math.max(free(location), 0));
    if (take === 0) continue;
    parts.push({ location, quantity: take });
    left -= take;
    if (left === 0) return parts;
  }
  return null;
}

/**
 * (v1.2) `allocate`, and past what the shelves can give, up to `room` more at the first location (a
 * backorder or preorder ships from where the line would have shipped). With no room it is `allocate`.
 */
export function allocateBeyond(
  quantity: number,
  free: (location: string) => number,
  order: readonly string[],
  room: number,
): Allocation[] | null {
  const within = allocate(quantity, free, order);
  if (within || room <= 0 || order.length === 0) return within;
  const onShelves = order.reduce((sum, location) => sum + Math.max(free(location), 0), 0);
  if (quantity - onShelves > room) return null;
  return mergeAllocations(allocate(onShelves, free, order) ?? [], [{ location: order[0]!, quantity: quantity - onShelves }]);
}

/** `current` grown by `growth`: a location already held grows where it stands, a new one goes last. */
export function mergeAllocations(current: readonly Allocation[], growth: readonly Allocation[]): Allocation[] {
  const merged = current.map((a) => ({ ...a }));
  for (const part of growth) {
    const same = merged.find((a) => a.location === part.location);
    if (same) same.quantity += part.quantity;
    else merged.push({ ...part });
  }
  return merged;
}

/** `current` less `quantity`, taken from the last allocation first. */
export function releaseFromLast(current: readonly Allocation[], quantity: number): Allocation[] {
  const kept = current.map((a) => ({ ...a }));
  let left = quantity;
  for (let i = kept.length - 1; i >= 0 && left > 0; i--) {
    const take = Math.min(left, kept[i]!.quantity);
    kept[i]!.quantity -= take;
    left -= take;
  }
  return kept.filter((a) => a.quantity > 0);
}
