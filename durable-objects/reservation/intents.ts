/**
 * What a reservation's coordinator writes down before it calls a product (its intents, and the shape an
 * earlier version left in flight), what it is asked to hold, and how its refusals and places are worded.
 */
import { fail, type ApiError, type ReservationStatus } from "../domain/contract";
import type { HoldPlace } from "../domain/ledger";
import { planChange, type ChangePlan, type HoldChange } from "../domain/reservation-plan";
import type { BundledLine } from "../domain/bundles";
import { SYSTEM_ACTOR, type Actor } from "../domain/actors";
import { heldLines, holdsOf, type ReservationRecord } from "./record";

/**
 * How long a product keeps a hold past the reservation's `expires_at` before releasing it on its own.
 * The coordinator releases at `expires_at`; this only matters when the coordinator never comes back.
 */
export const HOLD_GRACE_MS = 60_000;
export const EXPIRY = { kind: "expiry", key: "reservation" } as const;

/**
 * A change in flight, written before the first call to another object and cleared when done. (v1.2) `actor`
 * made the call, so its moves, and those that finish or undo it after a restart, are recorded as its; intents
 * written before have none, and are finished as `system`.
 */
export type Intent = (
  | {
      kind: "put";
      phase: "grow" | "shrink";
      previous: ReservationRecord | null;
      target: ReservationRecord;
      plan: ChangePlan;
      /** (v1.2) The active locations, in allocation order, that lines naming none were allocated over. */
      order?: string[];
    }
  | { kind: "release"; reason: "cancelled" | "expired"; target: ReservationRecord }
  | { kind: "commit"; phase: "claim" | "prepare" | "commit"; record: ReservationRecord; order_id: string }
) & { actor?: Actor };

export const actorOf = (intent: Intent): Actor => intent.actor ?? SYSTEM_ACTOR;

export interface PutInput {
  holder: string;
  /** (v1.2) A bundle line comes with its components, from the edge's copy of the registry. */
  lines: BundledLine[];
  /** Validation applies API.md's default of 900. */
  ttl_seconds: number;
}

export const holdDeadline = (r: ReservationRecord) => r.expires_at_ms + HOLD_GRACE_MS;

export const notActive = (status: ReservationStatus): { ok: false; error: ApiError } =>
  fail("reservation_not_active", `the reservation is ${status}`, { status });
export const notFound = (id: string): { ok: false; error: ApiError } => fail("not_found", `no reservation ${id}`);

/** A line naming a location is held there alone; otherwise over the active locations in allocation order. */
export const placeOf = (location: string | undefined, order: readonly string[]): HoldPlace =>
  location === undefined ? { order } : { location };

/** Where a refused PUT puts a grown line back: where it was named before, or wherever it stands. */
export const rollbackPlace = (c: HoldChange, order: readonly string[]): HoldPlace => placeOf(c.previousLocation, order);

/** One 409 listing every short SKU, or the first failure that was not about stock. */
export function refusalOf(errors: ApiError[]): { ok: false; error: ApiError } {
  const other = errors.find((e) => e.code !== "insufficient_stock");
  if (other) return { ok: false, error: other };
  const shortfalls = errors.flatMap((e) => e.details?.shortfalls ?? []);
  return fail("insufficient_stock", `not enough stock for ${shortfalls.length} line(s)`, { shortfalls });
}

/** An intent in the shape this code writes, from one an earlier version may have left in flight. */
export function upgradeIntent(stored: Intent | LegacyPutIntent): Intent {
  if (stored.kind !== "put" || "plan" in stored) return stored as Intent;
  const phase = stored.phase === "grow" ? "grow" : "shrink";
  return { ...stored, phase, plan: planChange(holdsOf(heldLines(stored.previous)), holdsOf(stored.target.lines)) };
}

/** Before 2026-11: a PUT's plan was recomputed rather than stored, and its second phase was "settle". */
export interface LegacyPutIntent {
  kind: "put";
  phase: "grow" | "settle";
  previous: ReservationRecord | null;
  target: ReservationRecord;
}
