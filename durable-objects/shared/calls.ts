/** Calls from one object to another, with thrown errors turned into outcomes. */
import { internal, unavailable, type ErrorCode, type Outcome } from "../domain/contract";
import type { ObjectBindings } from "../bindings";

export const productAt = (env: ObjectBindings, sku: string) => env.PRODUCT_STOCK.get(env.PRODUCT_STOCK.idFromName(sku));
export const orderAt = (env: ObjectBindings, orderId: string) => env.ORDER.get(env.ORDER.idFromName(orderId));
export const reservationAt = (env: ObjectBindings, id: string) => env.RESERVATION.get(env.RESERVATION.idFromName(id));
export const webhookAt = (env: ObjectBindings, id: string) => env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(id));
export const catalogAt = (env: ObjectBindings) => env.CATALOG.get(env.CATALOG.idFromName("catalog"));
export const registryAt = (env: ObjectBindings) => env.LOCATION_REGISTRY.get(env.LOCATION_REGISTRY.idFromName("locations"));
export const bundlesAt = (env: ObjectBindings) => env.BUNDLE_REGISTRY.get(env.BUNDLE_REGISTRY.idFromName("bundles"));

/** The objects a coordinator calls; a field of the coordinator, so a test can stand between them. */
export interface Peers {
  product(sku: string): ReturnType<typeof productAt>;
  order(orderId: string): ReturnType<typeof orderAt>;
}

export const peersOf = (env: ObjectBindings): Peers => ({
  product: (sku) => productAt(env, sku),
  order: (orderId) => orderAt(env, orderId),
});

/**
 * Whether a thrown error says the call may succeed if sent again: the platform marks an overloaded object
 * `overloaded`, a broken connection `retryable`, and a call cut off by a restart `durableObjectReset`.
 */
function isTransient(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const flags = err as { retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown };
  return flags.retryable === true || flags.overloaded === true || flags.durableObjectReset === true;
}

export const describeError = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/**
 * What a client is told about an error thrown on its behalf: 503 `unavailable` when a retry may succeed,
 * otherwise 500 with a fixed message. The error itself is only ever logged.
 */
export function failureOf(err: unknown): { ok: false; error: ReturnType<typeof internal>["error"] } {
  if (err instanceof StepFailed) return err.code === "unavailable" ? unavailable() : internal();
  return isTransient(err) ? unavailable() : internal();
}

/** An RPC that may throw (object reset, overload) as an outcome; the caller decides what a failure means. */
export async function attempt<T>(what: string, call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await call();
  } catch (err) {
    console.error(`${what} failed: ${describeError(err)}`);
    return failureOf(err);
  }
}

/** Of several failed calls: `unavailable` when every one of them may succeed if retried, else `internal`. */
export function worstOf(failures: readonly { code: ErrorCode }[]): "internal" | "unavailable" {
  return failures.every((e) => e.code === "unavailable") ? "unavailable" : "internal";
}

/** A step that must not fail did; `code` says whether retrying it later may succeed. */
export class StepFailed extends Error {
  constructor(
    step: string,
    readonly code: Extract<ErrorCode, "internal" | "unavailable">,
    detail: string,
  ) {
    super(`${step} failed: ${detail}`);
    this.name = "StepFailed";
  }
}

/**
 * For steps that cannot be refused (releases, pinned commits, order totals): any failure is a transient
 * one, so it is thrown and the coordinator's recorded intent is finished later by its alarm.
 */
export function requireAll(results: readonly Outcome<unknown>[], step: string): void {
  const failures = results.flatMap((r) => (r.ok ? [] : [r.error]));
  if (failures.length === 0) return;
  throw new StepFailed(step, worstOf(failures), failures.map((e) => `${e.code}: ${e.message}`).join("; "));
}

