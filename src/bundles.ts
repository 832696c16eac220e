/**
 * (v1.2) The edge's view of the bundle registry: cart lines naming a bundle are expanded into its components
 * here, before the reservation is called, so no SKU's transaction waits on a definition. Each isolate keeps
 * the definitions for a few seconds (isolate-cache.ts); a bundle this
 * isolate wrote is seen at once, and a SKU whose object says it is a bundle sends the isolate back to the
 * registry once.
 */
import { bundleAvailable, holdLines, type BundledLine, type Component } from "../durable-objects/domain/bundles";
import { fail, succeed, type Outcome, type RequestedLine } from "../durable-objects/domain/contract";
import { bundlesAt, productAt } from "../durable-objects/shared/calls";
import type { Env } from "./env";
import { IsolateCache } from "./isolate-cache";

export const BUNDLES_TTL_MS = 5_000;

const cache = new IsolateCache<Map<string, Component[]>>(BUNDLES_TTL_MS);

function definitions(env: Env, fresh = false): Promise<Map<string, Component[]>> {
  return cache.get(async () => {
    const outcome = await bundlesAt(env).list();
    if (!outcome.ok) throw new Error(outcome.error.message);
    return new Map(outcome.value.items.map((b) => [b.sku, b.components]));
  }, fresh);
}

/** After this isolate changed a definition: the next request asks the registry. */
export function forgetBundles(): void {
  cache.forget();
}

/** The components of `sku` when it is a bundle (fresh: asked of the registry, not the copy). */
export async function componentsOf(env: Env, sku: string, fresh = false): Promise<Component[] | undefined> {
  return (await definitions(env, fresh)).get(sku);
}

/**
 * The lines with each bundle line's components attached, or the 400 when lines sharing a SKU name different
 * locations (one hold per SKU per reservation holds it in one place).
 */
export async function withComponents(env: Env, lines: readonly RequestedLine[], fresh = false): Promise<Outcome<BundledLine[]>> {
  const bundles = await definitions(env, fresh);
  const expanded: BundledLine[] = lines.map((l) => {
    const components = bundles.get(l.sku);
    return components ? { ...l, components } : { ...l };
  });
  const held = holdLines(expanded);
  if (!held.ok) {
    return fail("invalid_request", `lines that hold ${held.sku} name different locations`, {
      issues: [{ path: "lines", message: `every line holding ${held.sku} must name the same location, or none` }],
    });
  }
  return succeed(expanded);
}

/** A bundle as `GET /v1/products/:bundle` shows it: what its components' available make, now or at `atMs`. */
export interface BundleStock {
  sku: string;
  bundle: true;
  components: Component[];
  available: number;
}

export async function bundleStock(env: Env, sku: string, components: Component[], atMs: number | null): Promise<Outcome<BundleStock>> {
  const stocks = await Promise.all(components.map((c) => productAt(env, c.sku).getStock(c.sku, atMs)));
  const available = new Map(stocks.map((s, i) => [components[i]!.sku, s.ok ? s.value.available : 0]));
  return succeed({ sku, bundle: true, components, available: bundleAvailable(components, (c) => available.get(c) ?? 0) });
}
