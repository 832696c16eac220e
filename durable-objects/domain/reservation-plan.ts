/**
 * Pure planning for a reservation: which product holds a change touches and in which order. Growing lines
 * go first, because only they can be refused; shrinking, removed and unchanged lines (whose deadline moves)
 * go second, once nothing can fail any more.
 */
import type { RequestedLine } from "./contract";

export interface HoldChange {
  sku: string;
  from: number;
  to: number;
  /** (v1.2) The location the line names now, and named before (undefined: allocated over the active ones). */
  location?: string | undefined;
  previousLocation?: string | undefined;
}

export interface ChangePlan {
  /** Lines whose hold grows (or is new, or moves to another location): each may be refused for stock. */
  grow: HoldChange[];
  /** Every other SKU of the old or new lines (shrinking, removed, unchanged): never refused. */
  shrink: HoldChange[];
}

export function planChange(previous: readonly RequestedLine[], next: readonly RequestedLine[]): ChangePlan {
  const before = new Map(previous.map((l) => [l.sku, l]));
  const after = new Map(next.map((l) => [l.sku, l]));
  const skus = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: HoldChange[] = skus.map((sku) => {
    const was = before.get(sku);
    const now = after.get(sku);
    return {
      sku,
      from: was?.quantity ?? 0,
      to: now?.quantity ?? 0,
      ...(now?.location === undefined ? {} : { location: now.location }),
      ...(was?.location === undefined ? {} : { previousLocation: was.location }),
    };
  });
  // A line named to another location may be refused there, like growth.
  const grows = (c: HoldChange) => c.to > c.from || (c.to > 0 && c.location !== undefined && c.location !== c.previousLocation);
  return { grow: changes.filter(grows), shrink: changes.filter((c) => !grows(c)) };
}
