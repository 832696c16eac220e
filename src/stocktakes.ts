/**
 * POST /v1/counts: a bulk stocktake. Each line is its own count in its own SKU's transaction (not
 * all-or-nothing: a line that races a sale is refused alone). With an Idempotency-Key each SKU keeps the
 * outcome of its line, so a retried call re-applies nothing, and answers what the first call did.
 */
import type { ApiError, IdempotencyToken, Move, Stock } from "../durable-objects/domain/contract";
import { failureOf, productAt } from "../durable-objects/shared/calls";
import { forEachAtMost } from "../durable-objects/shared/concurrency";
import type { Env } from "./env";
import type { Actor } from "../durable-objects/domain/actors";

export interface CountsInput {
  lines: Array<{ sku: string; on_hand: number; expected_version?: number | undefined; location?: string | undefined }>;
  reason?: string | undefined;
  ref?: string | undefined;
}

export type CountLineResult = { sku: string; ok: true; move: Move | null; stock: Stock } | { sku: string; ok: false; error: ApiError };

/** SKU objects called at once; a thousand lines go in waves of this many. */
const CONCURRENT_LINES = 50;

export async function countAll(
  env: Env,
  input: CountsInput,
  idem: IdempotencyToken | null,
  actor: Actor,
): Promise<{ results: CountLineResult[] }> {
  const results: CountLineResult[] = new Array(input.lines.length);
  await forEachAtMost(input.lines, CONCURRENT_LINES, async ({ sku, on_hand, expected_version, location }, i) => {
    try {
      const outcome = await productAt(env, sku).count(sku, { on_hand, expected_version, location, reason: input.reason, ref: input.ref }, idem, actor, "counts");
      results[i] = outcome.ok ? { sku, ok: true, ...outcome.value } : { sku, ok: false, error: outcome.error };
    } catch (err) {
      console.error(`count of ${sku} failed: ${String(err)}`);
      results[i] = { sku, ok: false, error: failureOf(err).error };
    }
  });
  return { results };
}
