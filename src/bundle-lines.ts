/**
 * (v1.2) Where bundles meet the rest of the edge: a product read that may name a bundle, and a reservation
 * whose bundle lines are expanded into components before its object is called.
 */
import type { Outcome, Reservation as ReservationView, RequestedLine, Stock } from "../durable-objects/domain/contract";
import { productAt, reservationAt } from "../durable-objects/shared/calls";
import { bundleStock, componentsOf, withComponents, type BundleStock } from "./bundles";
import type { Env } from "./env";
import type { Actor } from "../durable-objects/domain/actors";
import { allocationOrder } from "./locations";

/**
 * A SKU's stock, or a bundle's: a SKU with no ledger may be a bundle this isolate has not heard of yet, so a
 * 404 is checked against the registry itself before it is answered.
 */
export async function productOrBundle(env: Env, sku: string, atMs: number | null): Promise<Outcome<Stock | BundleStock>> {
  const components = await componentsOf(env, sku);
  if (components) return bundleStock(env, sku, components, atMs);
  const stock = await productAt(env, sku).getStock(sku, atMs);
  if (stock.ok || stock.error.code !== "not_found") return stock;
  const fresh = await componentsOf(env, sku, true);
  return fresh ? bundleStock(env, sku, fresh, atMs) : stock;
}

export interface ReservationBody {
  holder: string;
  lines: RequestedLine[];
  ttl_seconds: number;
}

/**
 * PUT of a reservation with its bundle lines expanded. A SKU that answers it is a bundle (defined since this
 * isolate's copy was taken) sends the PUT once more with the registry's own definitions; the first try held
 * nothing, since a refused PUT is rolled back whole.
 */
export async function putReservation(env: Env, id: string, body: ReservationBody, actor: Actor): Promise<Outcome<ReservationView>> {
  const order = body.lines.every((l) => l.location) ? [] : await allocationOrder(env);
  const attempt = async (fresh: boolean) => {
    const lines = await withComponents(env, body.lines, fresh);
    if (!lines.ok) return lines;
    return reservationAt(env, id).put(id, { ...body, lines: lines.value }, actor, order);
  };
  const first = await attempt(false);
  if (first.ok || first.error.code !== "conflict" || first.error.details?.bundle !== true) return first;
  return attempt(true);
}
