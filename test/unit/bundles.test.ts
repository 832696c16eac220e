// (v1.2) The pure rules of bundles: which definitions are allowed, what a bundle's components make, one hold
// per SKU over a reservation's lines, how held units are shared out over lines, and an order's bundle lines.
import { describe, expect, it } from "vitest";
import {
  bundleAvailable,
  decideBundlePut,
  holdLines,
  shareAllocations,
  skusOf,
  type BundledLine,
} from "../../durable-objects/domain/bundles";
import type { OrderLine } from "../../durable-objects/domain/contract";
import { planBundledAction, plainParts, type BundleOrderLine } from "../../durable-objects/domain/order-lines";
import { decide, type SkuState } from "../../durable-objects/domain/ledger";
import { NO_BACKORDERS } from "../../durable-objects/domain/policy";

const KIT = [{ sku: "MUG", quantity: 2 }, { sku: "TRAY", quantity: 1 }];

describe("decideBundlePut", () => {
  const others = new Map([["KIT", KIT]]);
  it("allows components that are plain SKUs, and a replacement of the same bundle", () => {
    expect(decideBundlePut("SET", [{ sku: "MUG", quantity: 1 }], others)).toBeNull();
    expect(decideBundlePut("KIT", [{ sku: "MUG", quantity: 3 }], others)).toBeNull();
  });
  it("refuses a component that is a bundle, a bundle that is a component, and a bundle of itself", () => {
    expect(decideBundlePut("BOX", [{ sku: "KIT", quantity: 1 }], others)).toEqual({ code: "component_is_bundle", sku: "KIT" });
    expect(decideBundlePut("MUG", [{ sku: "CUP", quantity: 1 }], others)).toEqual({ code: "bundle_is_component", of: "KIT" });
    expect(decideBundlePut("SELF", [{ sku: "SELF", quantity: 1 }], others)).toEqual({ code: "own_component" });
  });
});

describe("bundleAvailable", () => {
  it("is the least over the components of floor(available ÷ quantity)", () => {
    expect(bundleAvailable(KIT, (sku) => ({ MUG: 7, TRAY: 5 })[sku]!)).toBe(3);
    expect(bundleAvailable(KIT, (sku) => ({ MUG: 7, TRAY: 2 })[sku]!)).toBe(2);
  });
  it("rounds a short component down, not toward zero", () => {
    expect(bundleAvailable(KIT, (sku) => ({ MUG: -1, TRAY: 5 })[sku]!)).toBe(-1);
    expect(bundleAvailable(KIT, (sku) => ({ MUG: 1, TRAY: 5 })[sku]!)).toBe(0);
  });
});

describe("holdLines", () => {
  it("sums a bundle's components with the same SKUs on other lines: one hold per SKU, by SKU", () => {
    const lines: BundledLine[] = [
      { sku: "KIT", quantity: 2, components: KIT },
      { sku: "SET", quantity: 1, components: [{ sku: "MUG", quantity: 1 }, { sku: "COASTER", quantity: 1 }] },
      { sku: "MUG", quantity: 1 },
    ];
    expect(holdLines(lines)).toEqual({
      ok: true,
      lines: [
        { sku: "COASTER", quantity: 1 },
        { sku: "MUG", quantity: 6 },
        { sku: "TRAY", quantity: 2 },
      ],
    });
  });
  it("carries the location lines name, and refuses lines that hold one SKU at two places", () => {
    expect(holdLines([{ sku: "KIT", quantity: 1, location: "east", components: KIT }])).toEqual({
      ok: true,
      lines: [{ sku: "MUG", quantity: 2, location: "east" }, { sku: "TRAY", quantity: 1, location: "east" }],
    });
    expect(holdLines([{ sku: "KIT", quantity: 1, location: "east", components: KIT }, { sku: "MUG", quantity: 1 }])).toMatchObject({
      ok: false,
      sku: "MUG",
    });
  });
  it("lists every SKU lines name once", () => {
    expect(skusOf([{ sku: "KIT", components: KIT }, { sku: "MUG" }])).toEqual(["KIT", "MUG", "TRAY"]);
  });
});

describe("shareAllocations", () => {
  it("shares a SKU's held allocations over its lines in line order, the front first", () => {
    const lines: BundledLine[] = [{ sku: "MUG", quantity: 3 }, { sku: "KIT", quantity: 1, components: KIT }];
    const held = new Map([
      ["MUG", [{ location: "east", quantity: 4 }, { location: "west", quantity: 1 }]],
      ["TRAY", [{ location: "west", quantity: 1 }]],
    ]);
    expect(shareAllocations(lines, held).map((s) => s.allocations)).toEqual([
      [[{ location: "east", quantity: 3 }]],
      [
        [{ location: "east", quantity: 1 }, { location: "west", quantity: 1 }],
        [{ location: "west", quantity: 1 }],
      ],
    ]);
  });
});

describe("an order's bundle lines", () => {
  const share = (committed: number, fulfilled = 0) => ({ location: "default", committed, fulfilled, cancelled: 0, returned: 0 });
  // 3 kits (6 mugs, 3 trays) and 1 mug on its own line.
  const skuLines: OrderLine[] = [
    { sku: "MUG", committed: 7, fulfilled: 0, cancelled: 0, returned: 0, allocations: [share(7)] },
    { sku: "TRAY", committed: 3, fulfilled: 0, cancelled: 0, returned: 0, allocations: [share(3)] },
  ];
  const bundles: BundleOrderLine[] = [{ sku: "KIT", committed: 3, fulfilled: 0, cancelled: 0, returned: 0, components: KIT }];

  it("shows each SKU's own part: its totals less its bundles' units; a SKU only in bundles has none", () => {
    expect(plainParts(skuLines, bundles).map((l) => [l.sku, l.committed])).toEqual([["MUG", 1]]);
  });

  it("fulfils a bundle line as its components' units, and counts the bundle", () => {
    const plan = planBundledAction(skuLines, bundles, "fulfil", [{ sku: "KIT", quantity: 2 }]);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.lines.map((l) => [l.sku, l.fulfilled])).toEqual([["MUG", 4], ["TRAY", 2]]);
    expect(plan.bundles[0]).toMatchObject({ sku: "KIT", fulfilled: 2 });
    expect(plan.changedBundles).toEqual(["KIT"]);
  });

  it("checks a plain line against its own part, not the SKU's total", () => {
    expect(planBundledAction(skuLines, bundles, "fulfil", [{ sku: "MUG", quantity: 2 }])).toEqual({
      ok: false,
      excess: [{ sku: "MUG", requested: 2, allowed: 1 }],
    });
    expect(planBundledAction(skuLines, bundles, "cancel", [{ sku: "TRAY", quantity: 1 }])).toMatchObject({ ok: false });
  });

  it("takes every outstanding unit, bundles and plain parts, when no lines are named", () => {
    const plan = planBundledAction(skuLines, bundles, "cancel", undefined);
    expect(plan.ok && plan.lines.map((l) => [l.sku, l.cancelled])).toEqual([["MUG", 7], ["TRAY", 3]]);
    expect(plan.ok && plan.bundles[0]!.cancelled).toBe(3);
  });

  it("refuses one SKU's units asked of two places", () => {
    const plan = planBundledAction(skuLines, bundles, "fulfil", [
      { sku: "KIT", quantity: 1, location: "default" },
      { sku: "MUG", quantity: 1 },
    ]);
    expect(plan).toEqual({ ok: false, locations: "MUG" });
  });
});

describe("a bundle's own object", () => {
  const empty: SkuState["stock"] = { version: 0, on_hand: 0, reserved: 0, committed: 0, incoming: 0 };
  const state: SkuState = { stock: empty, at: new Map(), hold: null, line: null, policy: NO_BACKORDERS, incoming: null, bundle: true };
  it("refuses any command that would give it stock or hold it", () => {
    const receive = decide(state, { type: "receive", quantity: 1, reason: null, ref: null, at: { location: "default", named: false }, incoming_id: null } as never);
    expect(receive).toEqual({ ok: false, refusal: { code: "is_bundle" } });
    const hold = decide(state, { type: "hold", reservation_id: "r", quantity: 1, place: { order: ["default"] }, expires_at_ms: 1, release_reason: "updated" });
    expect(hold).toEqual({ ok: false, refusal: { code: "is_bundle" } });
  });
  it("lets a hold of nothing through: releasing never fails", () => {
    const release = decide(state, { type: "hold", reservation_id: "r", quantity: 0, place: { order: ["default"] }, expires_at_ms: 0, release_reason: "cancelled" });
    expect(release.ok).toBe(true);
  });
});
