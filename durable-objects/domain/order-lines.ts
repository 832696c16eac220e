/**
 * Pure rules of an order's lines: what fulfil, cancel and return may ask for, and the totals they lead to.
 * outstanding = committed − fulfilled − cancelled; returnable = fulfilled − returned.
 */
import type { OrderLine, SkuQuantity } from "./contract";

export type OrderAction = "fulfil" | "cancel" | "return";


export type Excess = {
  sku: string;
  requested: number;
  allowed: number;
};

export type OrderPlan = { ok: true; lines: OrderLine[]; changed: string[] } | { ok: false; excess: Excess[] };

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
  requested: readonly SkuQuantity[] | undefined,
): OrderPlan {
  const bySku = new Map(lines.map((l) => [l.sku, l]));
  const asked = requested ?? lines.map((l) => ({ sku: l.sku, quantity: allowance(action, l) }));
  const excess: Excess[] = [];
  for (const r of asked) {
    const line = bySku.get(r.sku);
    const allowed = line ? allowance(action, line) : 0;
    if (r.quantity > allowed) excess.push({ sku: r.sku, requested: r.quantity, allowed });
  }
  if (excess.length > 0) return { ok: false, excess };

  const take = new Map(asked.filter((r) => r.quantity > 0).map((r) => [r.sku, r.quantity]));
  const field = action === "fulfil" ? "fulfilled" : action === "cancel" ? "cancelled" : "returned";
  return {
    ok: true,
    lines: lines.map((l) => (take.has(l.sku) ? { ...l, [field]: l[field] + take.get(l.sku)! } : l)),
    changed: [...take.keys()],
  };
}
