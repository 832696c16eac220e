/** A decider's refusal as the API's error object, naming the SKU it concerns. */
import { fail, type ApiError, type ErrorDetails } from "./contract";
import type { Refusal } from "./ledger";

export function refusalToError(sku: string, refusal: Refusal): ApiError {
  switch (refusal.code) {
    case "insufficient_stock":
      return {
        code: "insufficient_stock",
        message: refusal.location === undefined ? `not enough stock of ${sku}` : `not enough stock of ${sku} at ${refusal.location}`,
        details: {
          shortfalls: [
            {
              sku,
              requested: refusal.requested,
              available: refusal.available,
              ...(refusal.location === undefined ? {} : { location: refusal.location }),
            },
          ],
        },
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
    case "hold_pinned":
      return notActive(`${refusal.reservation_id} is being committed`, { status: "committed" });
    case "hold_gone":
      return notActive(`the hold of ${refusal.reservation_id} on ${sku} is gone`, { status: "expired" });
    case "hold_not_prepared":
      return notActive(`no prepared hold of ${refusal.reservation_id} on ${sku}`);
    case "no_order_line":
      return fail("not_found", `order ${refusal.order_id} has no line for ${sku}`).error;
    case "incoming_not_found":
      return fail("not_found", `${sku} has no incoming ${refusal.incoming_id}`).error;
    case "incoming_closed":
      return fail("conflict", refusal.message).error;
    case "is_bundle":
      return fail("conflict", `${sku} is a bundle: it has no stock of its own, its components do`, { bundle: true }).error;
  }
}

const notActive = (message: string, details?: ErrorDetails): ApiError =>
  fail("reservation_not_active", message, details).error;
