/**
 * The edge's view of the location registry (contract v1.2): checked before a SKU's object is called, so no
 * SKU waits on the registry inside its transaction. Each isolate keeps the list for a few seconds; a
 * location it does not know sends it back to the registry once, so one just created is never refused.
 */
import { fail, type Outcome } from "../durable-objects/domain/contract";
import { DEFAULT_LOCATION, type Location } from "../durable-objects/domain/locations";
import { registryAt } from "../durable-objects/shared/calls";
import type { Env } from "./env";
import { IsolateCache } from "./isolate-cache";

/** How long an isolate trusts its copy: a location made inactive stops taking allocations within this. */
export const REGISTRY_TTL_MS = 5_000;

const cache = new IsolateCache<Location[]>(REGISTRY_TTL_MS);

function locations(env: Env, fresh = false): Promise<Location[]> {
  return cache.get(async () => {
    const outcome = await registryAt(env).list();
    if (!outcome.ok) throw new Error(outcome.error.message);
    return outcome.value.items;
  }, fresh);
}

/** The active locations in allocation order (priority, then id). */
export async function allocationOrder(env: Env): Promise<string[]> {
  return (await locations(env)).filter((l) => l.active).map((l) => l.id);
}

/** Where a request names a location: the field's path and the id. */
export interface NamedLocation {
  path: string;
  location: string;
}

/**
 * Null when every named location is in the registry (inactive ones too: they keep their stock), or the 400
 * that names each unknown one. `default` is always known, without asking.
 */
export async function unknownLocations(env: Env, named: readonly NamedLocation[]): Promise<Outcome<never> | null> {
  const asked = named.filter((n) => n.location !== DEFAULT_LOCATION);
  if (asked.length === 0) return null;
  const known = (list: Location[]) => new Set(list.map((l) => l.id));
  let ids = known(await locations(env));
  if (asked.some((n) => !ids.has(n.location))) ids = known(await locations(env, true));
  const issues = asked.filter((n) => !ids.has(n.location)).map((n) => ({ path: n.path, message: `no location ${n.location} in the registry` }));
  if (issues.length === 0) return null;
  return fail("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues: issues.slice(0, 20) });
}

/** Runs `then` once every location the request names is in the registry; a 400 naming the field otherwise. */
export async function atKnownLocations<T>(env: Env, named: NamedLocation[], then: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  return (await unknownLocations(env, named)) ?? then();
}

/** The location a body names, as the field that named it. */
export const bodyLocation = (location: string | undefined, path = "location"): NamedLocation[] =>
  location === undefined ? [] : [{ path, location }];

/** The locations the lines of a body name. */
export const lineLocations = (lines: ReadonlyArray<{ location?: string | undefined }> | undefined): NamedLocation[] =>
  (lines ?? []).flatMap((l, i) => bodyLocation(l.location, `lines.${i}.location`));

/** Test seam: forget the cached registry. */
export function forgetRegistry(): void {
  cache.forget();
}
