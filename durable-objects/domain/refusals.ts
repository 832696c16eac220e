/** A decider's refusal as the API's error object, naming the SKU it concerns. */
import type { ApiError } from "./contract";
import type { Refusal } from "./ledger";

export function refusalToError(sku: string, refusal: Refusal): ApiError {
  switch (refusal.code) {
    case "insufficient_stock":
      return {
        code: "insufficient_stock",
        message: `not enough stock of ${sku}`,
        details: { shortfalls: [{ sku, requested: refusal.requested, available: refusal.available }] },
      };
    case "version_conflict":
      return {
        code: "version_conflict",
        message: `${sku} is at version ${refusal.current_version}`,
        details: { current_version: refusal.current_version },
      };
    case "quantity_exceeds_order":
      return {
        code: "quantity_exceeds_order",
        message: `${sku} can give at most ${refusal.limit}`,
        details: { sku, requested: refusal.requested, limit: refusal.limit },
      };
  }
}
