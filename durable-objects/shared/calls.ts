/** Calls from a coordinator to other Durable Objects, with thrown errors turned into outcomes. */
import { fail, type Outcome } from "../../src/contract";
import type { Env } from "../../src/env";

export const productAt = (env: Env, sku: string) => env.PRODUCT_STOCK.get(env.PRODUCT_STOCK.idFromName(sku));
export const orderAt = (env: Env, orderId: string) => env.ORDER.get(env.ORDER.idFromName(orderId));
export const reservationAt = (env: Env, id: string) => env.RESERVATION.get(env.RESERVATION.idFromName(id));
export const catalogAt = (env: Env) => env.CATALOG.get(env.CATALOG.idFromName("catalog"));

/** An RPC that may throw (object reset, overload) as an outcome; the caller decides what a failure means. */
export async function attempt<T>(call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await call();
  } catch (err) {
    return fail("internal", `call failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * For steps that cannot be refused (releases, pinned commits, order totals): any failure is a transient
 * one, so it is thrown and the coordinator's recorded intent is finished later by its alarm.
 */
export function requireAll(results: readonly Outcome<unknown>[], step: string): void {
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) throw new Error(`${step} failed: ${failed.error.code}: ${failed.error.message}`);
}
