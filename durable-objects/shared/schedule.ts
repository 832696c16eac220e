/**
 * Many deadlines, one alarm. Each Durable Object keeps its deadlines in a `schedule` table
 * (kind, key, due_at_ms, attempts) and points its single alarm at the earliest one.
 * Entries are written inside the caller's transaction; `arm` runs after it.
 */
import { clock } from "./clock";
import type { SchemaPart } from "./migrate";

export const SCHEDULE_SCHEMA: SchemaPart = {
  owner: "schedule",
  steps: [
    `
    CREATE TABLE schedule (
      kind      TEXT    NOT NULL,
      key       TEXT    NOT NULL,
      due_at_ms INTEGER NOT NULL,
      attempts  INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (kind, key)
    );
    CREATE INDEX schedule_by_due ON schedule (due_at_ms);
    `,
  ],
};

export interface ScheduleEntry {
  kind: string;
  key: string;
  due_at_ms: number;
  attempts: number;
  [column: string]: SqlStorageValue;
}

export class Schedule {
  /** Where the alarm points, as far as this instance knows; `undefined` until read from storage. */
  private armedAt: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Adds a deadline, or moves an existing one earlier (never later). */
  atOrBefore(kind: string, key: string, dueAtMs: number): void {
    this.storage.sql.exec(
      `INSERT INTO schedule (kind, key, due_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET due_at_ms = min(due_at_ms, excluded.due_at_ms)`,
      kind,
      key,
      dueAtMs,
    );
  }

  /** Sets a deadline to exactly this time, counting one more attempt. */
  retry(kind: string, key: string, dueAtMs: number): number {
    return this.storage.sql
      .exec<{ attempts: number }>(
        `INSERT INTO schedule (kind, key, due_at_ms, attempts) VALUES (?, ?, ?, 1)
         ON CONFLICT (kind, key) DO UPDATE SET due_at_ms = excluded.due_at_ms, attempts = attempts + 1
         RETURNING attempts`,
        kind,
        key,
        dueAtMs,
      )
      .one().attempts;
  }

  /**
   * Reschedules a failed deadline with exponential backoff (first, 2×first, … up to max) and answers which
   * attempt failed and the delay chosen, for the log.
   */
  backOff(kind: string, key: string, firstMs: number, maxMs: number): { attempt: number; delayMs: number } {
    const failed = this.get(kind, key)?.attempts ?? 0;
    const delayMs = Math.min(maxMs, firstMs * 2 ** failed);
    this.retry(kind, key, clock.now() + delayMs);
    return { attempt: failed + 1, delayMs };
  }

  set(kind: string, key: string, dueAtMs: number): void {
    this.storage.sql.exec(
      `INSERT INTO schedule (kind, key, due_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET due_at_ms = excluded.due_at_ms, attempts = 0`,
      kind,
      key,
      dueAtMs,
    );
  }

  remove(kind: string, key: string): void {
    this.storage.sql.exec("DELETE FROM schedule WHERE kind = ? AND key = ?", kind, key);
  }

  get(kind: string, key: string): ScheduleEntry | null {
    return (
      this.storage.sql
        .exec<ScheduleEntry>("SELECT * FROM schedule WHERE kind = ? AND key = ?", kind, key)
        .toArray()[0] ?? null
    );
  }

  dueBy(nowMs: number, limit = 500): ScheduleEntry[] {
    return this.storage.sql
      .exec<ScheduleEntry>(
        "SELECT * FROM schedule WHERE due_at_ms <= ? ORDER BY due_at_ms LIMIT ?",
        nowMs,
        limit,
      )
      .toArray();
  }

  private earliest(): number | null {
    const row = this.storage.sql
      .exec<{ due: number | null }>("SELECT min(due_at_ms) AS due FROM schedule")
      .one();
    return row.due;
  }

  /** The alarm has fired: the runtime cleared it. */
  fired(): void {
    this.armedAt = null;
  }

  /**
   * Points the alarm at the earliest deadline when it is not already due by then. An alarm that rings
   * early finds nothing due and re-arms, so this only ever moves the alarm earlier on the hot path.
   */
  async arm(): Promise<void> {
    const next = this.earliest();
    if (next === null) return;
    if (this.armedAt === undefined) this.armedAt = await this.storage.getAlarm();
    if (this.armedAt !== null && this.armedAt <= next) return;
    await this.storage.setAlarm(next);
    this.armedAt = next;
  }
}
