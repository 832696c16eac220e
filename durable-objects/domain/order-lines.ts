/**
 * Pure rules of an order's lines: what fulfil, cancel and return may ask for, and the totals they lead to.
 * outstanding = committed − fulfilled − cancelled; returnable = fulfilled − returned.
 */
import type { OrderLine, RequestedLine } from "./contract";
import { spreadOrderStep, type OrderStep } from "./ledger";

export type OrderAction = "fulfil" | "cancel" | "return";


export type Excess = {
  sku: string;
  requested: number;
  allowed: number;
};

export type OrderPlan =
  | { ok: true; lines: OrderLine[]; changed: string[]; locations: Map<string, string | null> }
  | { ok: false; excess: Excess[] };

export const outstanding = (l: OrderLine) => l.committed - l.fulfilled - l.cancelled;
export const returnable = (l: OrderLine) => l.fulfilled - l.returned;

function allowance(action: OrderAction, line: OrderLine): number {
  return action === "return" ? returnable(line) : outstanding(line);
}

/**
 * The order's lines after `action`. Without `requested` (fulfil and cancel only) every outstanding unit is
 * taken. A line over its allowance, or a SKU the order lacks, refuses the whole request.
 */
export function planOrderAction(
  lines: readonly OrderLine[],
  action: OrderAction,
  requested: readonly RequestedLine[] | undefined,
): OrderPlan {
  const bySku = new Map(lines.map((l) => [l.sku, l]));
  const asked: readonly RequestedLine[] = requested ?? lines.map((l) => ({ sku: l.sku, quantity: allowance(action, l) }));
  const field: OrderStep = action === "fulfil" ? "fulfilled" : action === "cancel" ? "cancelled" : "returned";
  const excess: Excess[] = [];
  const after = new Map<string, OrderLine>();
  for (const r of asked) {
    const line = bySku.get(r.sku);
    const allowed = line ? allowance(action, line) : 0;
    if (!line || r.quantity > allowed) {
      excess.push({ sku: r.sku, requested: r.quantity, allowed });
      continue;
    }
    if (r.quantity === 0) continue;
    // (v1.2) At the location the line names, or over the order's allocations in order.
    const spread = spreadOrderStep(field, r.quantity, line.allocations, r.location ?? null);
    if (!spread.ok) {
      excess.push({ sku: r.sku, requested: r.quantity, allowed: "limit" in spread.refusal ? spread.refusal.limit : 0 });
      continue;
    }
    after.set(r.sku, { ...line, [field]: line[field] + r.quantity, allocations: spread.allocations });
  }
  if (excess.length > 0) return { ok: false, excess };
  return {
    ok: true,
    lines: lines.map((l) => after.get(l.sku) ?? l),
    changed: [...after.keys()],
    locations: new Map(asked.map((r) => [r.sku, r.location ?? null])),
  };
}

/** A fulfil's units at one location that its shelf does not hold. */
export interface ShelfShortfall {
  sku: string;
  location: string;
  requested: number;
  available: number;
}

/**
 * (v1.2) What a planned fulfil would ship from each location, against what is on that shelf now. A count
 * may have found fewer units than are committed, and a backordered line was never on a shelf: the order
 * refuses such a fulfil before it records anything.
 */
export function shelfShortfalls(
  before: readonly OrderLine[],
  planned: readonly OrderLine[],
  onHand: (sku: string, location: string) => number,
): ShelfShortfall[] {
  const was = new Map(before.map((l) => [l.sku, l]));
  const shortfalls: ShelfShortfall[] = [];
  for (const line of planned) {
    const previous = was.get(line.sku);
    for (const share of line.allocations) {
      const shipped = previous?.allocations.find((a) => a.location === share.location)?.fulfilled ?? 0;
      const requested = share.fulfilled - shipped;
      const available = onHand(line.sku, share.location);
      if (requested > 0 && requested > available) {
        shortfalls.push({ sku: line.sku, location: share.location, requested, available: Math.max(available, 0) });
      }
    }
  }
  return shortfalls;
}
