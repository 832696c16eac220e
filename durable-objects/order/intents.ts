/** An order's stored header, the totals it writes down before it calls products, and how a plan's refusal is worded. */
import { fail, type OrderLine, type Outcome } from "../domain/contract";
import type { BundledPlan, OrderAction } from "../domain/order-lines";
import type { Component } from "../domain/bundles";
import type { Actor } from "../domain/actors";

export interface Header {
  order_id: string;
  reservation_id: string;
  opened: number;
  created_at_ms: number;
  updated_at_ms: number;
  [column: string]: SqlStorageValue;
}

/**
 * Totals each product must reach for this order, written before the first product call, with (v1.2) the
 * location the request named for that SKU (null: over the line's allocations).
 */
export interface TotalsIntent {
  /** (v1.2) `previous`: the line before this action, put back if its product refuses it (intents from before have none). */
  lines: Array<OrderLine & { location?: string | null; previous?: OrderLine }>;
  /** (v1.2) Who asked for the action: its moves are recorded as theirs (intents from before: `system`). */
  actor?: Actor;
}

/** A bundle line as the reservation committed it. */
export interface CommittedBundle {
  sku: string;
  quantity: number;
  components: Component[];
}

/** A plan's refusal: lines over what the order allows, or one SKU's units asked of two places. */
export function refusalOf(action: OrderAction, plan: Extract<BundledPlan, { ok: false }>): Outcome<never> {
  if ("excess" in plan) return fail("quantity_exceeds_order", `the order does not allow that ${action}`, { lines: plan.excess });
  return fail("invalid_request", `lines that ${action} units of ${plan.locations} name different locations`, {
    issues: [{ path: "lines", message: `every line with units of ${plan.locations} must name the same location, or none` }],
  });
}
