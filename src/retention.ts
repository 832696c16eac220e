/**
 * The daily cron's clean-up: raw moves in D1 older than MOVES_RETENTION_DAYS are deleted in bounded
 * batches (never one unbounded DELETE). The per-SKU ledgers in the Durable Objects are never touched.
 */
const RETENTION_BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 500;

export function retentionDays(raw: string | undefined): number {
  const days = Number(raw ?? "90");
  return Number.isInteger(days) && days > 0 ? days : 90;
}

/** One bounded batch of the clean-up: `?1` is the cutoff instant, `?2` the batch size. */
export const RETENTION_SQL = `DELETE FROM moves WHERE cursor IN (
  SELECT cursor FROM moves WHERE at < ?1 ORDER BY at LIMIT ?2)`;

/** The oldest instant whose raw moves D1 keeps: moves before it are deleted, and never projected again. */
const retentionHorizon = (nowMs: number, days: number): string => new Date(nowMs - days * 86_400_000).toISOString();

/** Recorded before deleting, so the projection never writes those moves again (migration 0004). */
const RECORD_HORIZON_SQL = `INSERT INTO retention_horizon (id, horizon) VALUES (1, ?1)
  ON CONFLICT (id) DO UPDATE SET horizon = max(horizon, excluded.horizon)`;

export const FORGET_HOURS_SQL = "DELETE FROM move_hours WHERE hour < substr(?1, 1, 13)";

/** Deletes moves with `at` before the horizon; returns how many went. */
export async function deleteOldMoves(db: D1Database, nowMs: number, days: number): Promise<number> {
  const cutoff = retentionHorizon(nowMs, days);
  await db.prepare(RECORD_HORIZON_SQL).bind(cutoff).run();
  const statement = db.prepare(RETENTION_SQL);
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const result = await statement.bind(cutoff, RETENTION_BATCH).run();
    deleted += result.meta.changes;
    if (result.meta.changes < RETENTION_BATCH) {
      // Every move before the horizon is gone, so the hours wholly before it have none left: their counts
      // go too (migration 0006). A run stopped by its cap keeps them, so no count is ever too low.
      await db.prepare(FORGET_HOURS_SQL).bind(cutoff).run();
      break;
    }
  }
  return deleted;
}
