/** How the SKU's object words its answers: settings, a command's first move, an order line, a SKU never moved. */
import { fail, isoInstant, type ApiError, type MoveWithStock, type OrderLine, type SkuSettings } from "../domain/contract";
import type { CommittedLine } from "../domain/ledger";
import type { Appended } from "./ledger-store";
import type { Settings } from "./settings-store";

export function notFound(sku: string): { ok: false; error: ApiError } {
  return fail("not_found", `no moves recorded for SKU ${sku}`);
}

export const settingsView = (sku: string, s: Settings): SkuSettings => ({
  sku,
  low_stock_threshold: s.low_stock_threshold,
  backorder_limit: s.backorder_limit,
  preorder: s.preorder,
  updated_at: s.updated_at_ms === null ? null : isoInstant(s.updated_at_ms),
});

export const firstMoveWithStock = ({ moves, stock }: Appended): MoveWithStock => ({ move: moves[0]!, stock });

export const lineOf = (sku: string, l: CommittedLine): OrderLine => ({
  sku,
  committed: l.committed,
  fulfilled: l.fulfilled,
  cancelled: l.cancelled,
  returned: l.returned,
  allocations: l.allocations,
});
