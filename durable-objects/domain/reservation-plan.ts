/**
 * Pure planning for a reservation: which product holds a change touches and in which order. Growing lines
 * go first, because only they can be refused; shrinking, removed and unchanged lines (whose deadline moves)
 * go second, once nothing can fail any more.
 */
import type { SkuQuantity } from "./contract";

export interface HoldChange {
  sku: string;
  from: number;
  to: number;
}

export interface ChangePlan {
  /** Lines whose hold grows (or is new): each may be refused for stock. */
  grow: HoldChange[];
  /** Every other SKU of the old or new lines (shrinking, removed, unchanged): never refused. */
  shrink: HoldChange[];
}

export function quantities(lines: readonly SkuQuantity[]): Map<string, number> {
  return new Map(lines.map((l) => [l.sku, l.quantity]));
}

export function planChange(previous: readonly SkuQuantity[], next: readonly SkuQuantity[]): ChangePlan {
  const before = quantities(previous);
  const after = quantities(next);
  const skus = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes = skus.map((sku) => ({ sku, from: before.get(sku) ?? 0, to: after.get(sku) ?? 0 }));
  return {
    grow: changes.filter((c) => c.to > c.from),
    shrink: changes.filter((c) => c.to <= c.from),
  };
}
