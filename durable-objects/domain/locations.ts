/**
 * The location registry's rules (contract v1.2), with no I/O: `default` always exists, at most 100
 * locations, `default` stays active, and the order allocation walks them in (priority, then id).
 */

export const DEFAULT_LOCATION = "default";
export const DEFAULT_PRIORITY = 100;
export const MAX_LOCATIONS = 100;

export interface Location {
  id: string;
  name: string;
  /** 0–1000; lower comes first when a line is allocated. */
  priority: number;
  /** Inactive locations keep their stock but take no new allocation. */
  active: boolean;
  /** Null only for `default` while it was never written. */
  created_at: string | null;
  updated_at: string | null;
}

export interface LocationInput {
  name: string;
  priority: number;
  active: boolean;
}

/** `default` as it is before anyone writes it. */
export const IMPLICIT_DEFAULT: Location = Object.freeze({
  id: DEFAULT_LOCATION,
  name: "Default",
  priority: DEFAULT_PRIORITY,
  active: true,
  created_at: null,
  updated_at: null,
});

export type LocationRefusal =
  | { code: "too_many"; limit: number }
  | { code: "default_inactive" };

/** Whether a PUT of `id` may be stored, given how many locations exist besides `default`. */
export function decideLocationPut(
  id: string,
  exists: boolean,
  othersThanDefault: number,
  input: LocationInput,
): { ok: true } | { ok: false; refusal: LocationRefusal } {
  if (id === DEFAULT_LOCATION && !input.active) return { ok: false, refusal: { code: "default_inactive" } };
  // `default` counts as one of the hundred, written or not.
  if (!exists && id !== DEFAULT_LOCATION && othersThanDefault + 1 >= MAX_LOCATIONS) {
    return { ok: false, refusal: { code: "too_many", limit: MAX_LOCATIONS } };
  }
  return { ok: true };
}

/** The order in which lines are allocated, and the registry is listed: priority, then id. */
export function byPriority(a: Pick<Location, "id" | "priority">, b: Pick<Location, "id" | "priority">): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Every location, `default` included whether or not it was written, in allocation order. */
export function withDefault(stored: readonly Location[]): Location[] {
  const all = stored.some((l) => l.id === DEFAULT_LOCATION) ? [...stored] : [IMPLICIT_DEFAULT, ...stored];
  return all.sort(byPriority);
}
