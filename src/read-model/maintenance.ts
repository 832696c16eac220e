/**
 * Operator tasks on the D1 read model: emptying it before a rebuild, and walking the catalog so each SKU's
 * object sends its whole ledger again. Every statement is bounded, so no call holds D1 for long.
 */
import { catalogAt, productAt } from "../../durable-objects/shared/calls";
import type { Env } from "../env";

const RESET_BATCH = 1_000;
const RESET_BATCHES_PER_CALL = 25;

/** Children before parents: rollups, their progress, moves and stock by location reference stock. */
export const RESET_STATEMENTS = [
  `DELETE FROM stock_locations WHERE (location, sku) IN (SELECT location, sku FROM stock_locations LIMIT ${RESET_BATCH})`,
  `DELETE FROM daily_rollups WHERE (day, sku) IN (SELECT day, sku FROM daily_rollups LIMIT ${RESET_BATCH})`,
  `DELETE FROM rollup_progress WHERE sku IN (SELECT sku FROM rollup_progress LIMIT ${RESET_BATCH})`,
  `DELETE FROM moves WHERE cursor IN (SELECT cursor FROM moves LIMIT ${RESET_BATCH})`,
  `DELETE FROM stock WHERE sku IN (SELECT sku FROM stock LIMIT ${RESET_BATCH})`,
  `DELETE FROM move_blocks WHERE block IN (SELECT block FROM move_blocks LIMIT ${RESET_BATCH})`,
  `DELETE FROM move_hours WHERE hour IN (SELECT hour FROM move_hours LIMIT ${RESET_BATCH})`,
] as const;

export interface ResetProgress {
  deleted: number;
  /** False when rows remain: call again. */
  done: boolean;
}

export async function resetReadModel(db: D1Database): Promise<ResetProgress> {
  let deleted = 0;
  let batches = 0;
  for (const sql of RESET_STATEMENTS) {
    for (;;) {
      if (batches++ >= RESET_BATCHES_PER_CALL) return { deleted, done: false };
      const { meta } = await db.prepare(sql).run();
      deleted += meta.changes;
      if (meta.changes < RESET_BATCH) break;
    }
  }
  return { deleted, done: true };
}

export interface RebuildProgress {
  /** SKUs whose ledgers were sent again by this call. */
  skus: number;
  /** Moves those ledgers hold (they reach D1 in the background, within seconds). */
  moves: number;
  next_after_sku: string | null;
}

export async function rebuildReadModel(env: Env, afterSku: string, limit: number): Promise<RebuildProgress> {
  const page = await catalogAt(env).list(afterSku, limit);
  if (!page.ok) throw new Error(page.error.message);
  const results = await Promise.all(page.value.skus.map((sku) => productAt(env, sku).reproject()));
  const moves = results.reduce((n, r) => n + (r.ok ? r.value.moves : 0), 0);
  return { skus: page.value.skus.length, moves, next_after_sku: page.value.next_after_sku };
}
