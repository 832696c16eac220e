/**
 * (v1.2) Bundles: a SKU with no stock of its own, made of components. Pure rules shared by the registry that
 * keeps the definitions, the edge that expands cart lines, the reservation that holds each SKU once, and the
 * order that fulfils, cancels and returns a bundle line as its components.
 */
import type { Allocation } from "./balances";

export const MAX_COMPONENTS = 20;

/** One component of a bundle: `quantity` units of `sku` per unit of the bundle. */
export interface Component {
  sku: string;
  quantity: number;
}

export interface BundleDefinition {
  sku: string;
  components: Component[];
}

/** A line as asked for, with the components of a bundle line as they were when it was made. */
export interface BundledLine {
  sku: string;
  quantity: number;
  location?: string | undefined;
  components?: Component[] | undefined;
}

export type BundleRefusal =
  | { code: "component_is_bundle"; sku: string }
  | { code: "bundle_is_component"; of: string }
  | { code: "own_component" };

/**
 * Whether `sku` may be defined with `components`, given every other definition: no component is a bundle, the
 * bundle is not a component of another (so bundles never nest), and it is not its own component.
 */
export function decideBundlePut(
  sku: string,
  components: readonly Component[],
  others: ReadonlyMap<string, readonly Component[]>,
): BundleRefusal | null {
  if (components.some((c) => c.sku === sku)) return { code: "own_component" };
  const nested = components.find((c) => others.has(c.sku) && c.sku !== sku);
  if (nested) return { code: "component_is_bundle", sku: nested.sku };
  for (const [other, parts] of others) {
    if (other !== sku && parts.some((c) => c.sku === sku)) return { code: "bundle_is_component", of: other };
  }
  return null;
}

/** floor(a ÷ b) for integers of either sign (SQLite and `Math.trunc` round toward zero). */
const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** How many bundles the components' available make: the least over them of floor(available ÷ quantity). */
export function bundleAvailable(components: readonly Component[], availableOf: (sku: string) => number): number {
  return Math.min(...components.map((c) => floorDiv(availableOf(c.sku), c.quantity)));
}

/** Every SKU the lines name, bundles and their components alike, once each. */
export function skusOf(lines: ReadonlyArray<{ sku: string; components?: ReadonlyArray<{ sku: string }> | undefined }>): string[] {
  return [...new Set(lines.flatMap((l) => [l.sku, ...(l.components ?? []).map((c) => c.sku)]))];
}

/** The units of each SKU a line stands for: itself, or its components times the line's quantity. */
export function unitsOf(line: BundledLine): Component[] {
  return line.components
    ? line.components.map((c) => ({ sku: c.sku, quantity: c.quantity * line.quantity }))
    : [{ sku: line.sku, quantity: line.quantity }];
}

export type HoldLines =
  | { ok: true; lines: Array<{ sku: string; quantity: number; location?: string }> }
  | { ok: false; sku: string; locations: Array<string | undefined> };

/**
 * One hold per SKU: the units of every line summed by SKU (a bundle's component and the same SKU on its own
 * line become one hold), by SKU. Lines that share a SKU must agree on where it is held.
 */
export function holdLines(lines: readonly BundledLine[]): HoldLines {
  const bySku = new Map<string, { quantity: number; locations: Set<string | undefined> }>();
  for (const line of lines) {
    for (const unit of unitsOf(line)) {
      const entry = bySku.get(unit.sku) ?? { quantity: 0, locations: new Set() };
      entry.quantity += unit.quantity;
      entry.locations.add(line.location);
      bySku.set(unit.sku, entry);
    }
  }
  const held: Array<{ sku: string; quantity: number; location?: string }> = [];
  for (const sku of [...bySku.keys()].sort()) {
    const { quantity, locations } = bySku.get(sku)!;
    if (locations.size > 1) return { ok: false, sku, locations: [...locations] };
    const [location] = locations;
    held.push({ sku, quantity, ...(location === undefined ? {} : { location }) });
  }
  return { ok: true, lines: held };
}

/**
 * A SKU's held allocations shared out over the lines that use it, in line order: each line (or bundle
 * component) takes its units from the allocations front first. Sums per location equal what is held.
 */
export function shareAllocations<T extends BundledLine>(
  lines: readonly T[],
  held: ReadonlyMap<string, readonly Allocation[]>,
): Array<{ line: T; allocations: Allocation[][] }> {
  const left = new Map([...held].map(([sku, allocations]) => [sku, allocations.map((a) => ({ ...a }))]));
  const take = (sku: string, quantity: number): Allocation[] => {
    const queue = left.get(sku) ?? [];
    const taken: Allocation[] = [];
    let want = quantity;
    for (const a of queue) {
      if (want === 0) break;
      const n = Math.min(a.quantity, want);
      if (n === 0) continue;
      a.quantity -= n;
      want -= n;
      const same = taken.find((t) => t.location === a.location);
      if (same) same.quantity += n;
      else taken.push({ location: a.location, quantity: n });
    }
    return taken;
  };
  return lines.map((line) => ({ line, allocations: unitsOf(line).map((u) => take(u.sku, u.quantity)) }));
}
