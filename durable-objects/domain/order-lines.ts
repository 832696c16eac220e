/**
 * Pure rules of an order's lines: what fulfil, cancel and return may ask for, and the totals they lead to.
 * outstanding = committed − fulfilled − cancelled; returnable = fulfilled − returned.
 */
import type { Component } from "./bundles";
import type { OrderLine, RequestedLine } from "./contract";
import { spreadOrderStep, type OrderStep } from "./order-steps";

export type OrderAction = "fulfil" | "cancel" | "return";


export type Excess = {
  sku: string;
  requested: number;
  allowed: number;
};

export type OrderPlan =
  | { ok: true; lines: OrderLine[]; changed: string[]; locations: Map<string, string | null> }
  | { ok: false; excess: Excess[] };

export const outstanding = (l: Totals) => l.committed - l.fulfilled - l.cancelled;
export const returnable = (l: Totals) => l.fulfilled - l.returned;

type Totals = Pick<OrderLine, "committed" | "fulfilled" | "cancelled" | "returned">;

function allowance(action: OrderAction, line: Totals): number {
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
    const line = after.get(r.sku) ?? bySku.get(r.sku);
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

/** (v1.2) A bundle line of an order: its own totals, in bundles, and the components it was made with. */
export interface BundleOrderLine extends Totals {
  sku: string;
  components: Component[];
}

const STEPS = ["committed", "fulfilled", "cancelled", "returned"] as const;

/**
 * What the order took of each SKU on its own line: the SKU's totals less its bundles' units. A SKU taken only
 * in bundles has no plain part. Its allocations are the SKU's, bundle units included.
 */
export function plainParts(skuLines: readonly OrderLine[], bundles: readonly BundleOrderLine[]): OrderLine[] {
  if (bundles.length === 0) return [...skuLines];
  return skuLines
    .map((line) => {
      const part = { ...line };
      for (const b of bundles) {
        const per = b.components.find((c) => c.sku === line.sku)?.quantity ?? 0;
        for (const step of STEPS) part[step] -= b[step] * per;
      }
      return part;
    })
    .filter((part) => part.committed > 0);
}

export type BundledPlan =
  | (Extract<OrderPlan, { ok: true }> & { bundles: BundleOrderLine[]; changedBundles: string[] })
  | { ok: false; excess: Excess[] }
  | { ok: false; locations: string };

/**
 * `planOrderAction` for an order with bundle lines: each requested line is checked against its own line (a
 * bundle's, or a SKU's plain part), then becomes units of SKUs, summed by SKU and planned as SKU lines. The
 * units of one SKU must come from one place.
 */
export function planBundledAction(
  skuLines: readonly OrderLine[],
  bundles: readonly BundleOrderLine[],
  action: OrderAction,
  requested: readonly RequestedLine[] | undefined,
): BundledPlan {
  if (bundles.length === 0) {
    const plan = planOrderAction(skuLines, action, requested);
    return plan.ok ? { ...plan, bundles: [], changedBundles: [] } : plan;
  }
  const plain = new Map(plainParts(skuLines, bundles).map((l) => [l.sku, l]));
  const bundleBySku = new Map(bundles.map((b) => [b.sku, b]));
  const asked: readonly RequestedLine[] =
    requested ?? [...plain.values(), ...bundles].map((l) => ({ sku: l.sku, quantity: allowance(action, l) })).filter((r) => r.quantity > 0);
  const field: OrderStep = action === "fulfil" ? "fulfilled" : action === "cancel" ? "cancelled" : "returned";

  const excess: Excess[] = [];
  const units = new Map<string, RequestedLine>();
  const bundlesAfter = new Map<string, BundleOrderLine>();
  let split: string | null = null;
  const addUnits = (sku: string, quantity: number, location: string | undefined) => {
    const sum = units.get(sku);
    if (sum && sum.location !== location) split = sku;
    units.set(sku, { sku, quantity: (sum?.quantity ?? 0) + quantity, ...(location === undefined ? {} : { location }) });
  };
  for (const r of asked) {
    const bundle = bundlesAfter.get(r.sku) ?? bundleBySku.get(r.sku);
    const own = bundle ?? plain.get(r.sku);
    const allowed = own ? allowance(action, own) : 0;
    if (!own || r.quantity > allowed) {
      excess.push({ sku: r.sku, requested: r.quantity, allowed });
      continue;
    }
    if (r.quantity === 0) continue;
    if (bundle) {
      bundlesAfter.set(r.sku, { ...bundle, [field]: bundle[field] + r.quantity });
      for (const c of bundle.components) addUnits(c.sku, c.quantity * r.quantity, r.location);
    } else {
      plain.set(r.sku, { ...own, [field]: own[field] + r.quantity } as OrderLine);
      addUnits(r.sku, r.quantity, r.location);
    }
  }
  if (excess.length > 0) return { ok: false, excess };
  if (split !== null) return { ok: false, locations: split };
  const plan = planOrderAction(skuLines, action, [...units.values()]);
  if (!plan.ok) return plan;
  return {
    ...plan,
    bundles: bundles.map((b) => bundlesAfter.get(b.sku) ?? b),
    changedBundles: [...bundlesAfter.keys()],
  };
}
