/**
 * The daily cron's clean-up: raw moves in D1 older than MOVES_RETENTION_DAYS are deleted in bounded
 * batches (never one unbounded DELETE). The per-SKU ledgers in the Durable Objects are never touched.
 */
export const RETENTION_BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 500;

export function retentionDays(raw: string | undefined): number {
  const days = Number(raw ?? "90");
  return Number.isInteger(days) && days > 0 ? days : 90;
}

/** One bounded batch of the clean-up: `?1` is the cutoff instant, `?2` the batch size. */
export const RETENTION_SQL = `DELETE FROM moves WHERE cursor IN (
  SELECT cursor FROM moves WHERE at < ?1 ORDER BY at LIMIT ?2)`;

/** Deletes moves with `at` before the cutoff; returns how many went. */
export async function deleteOldMoves(db: D1Database, nowMs: number, days: number): Promise<number> {
  const cutoff = new Date(nowMs - days * 86_400_000).toISOString();
  const statement = db.prepare(RETENTION_SQL);
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const result = await statement.bind(cutoff, RETENTION_BATCH).run();
    deleted += result.meta.changes;
    if (result.meta.changes < RETENTION_BATCH) break;
  }
  return deleted;
}
