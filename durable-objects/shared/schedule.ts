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

/**
 * How an object's outboxes (the D1 projection, the listings, stock events to the queue) are retried: from
 * 0.5 s, doubling, to at most a minute.
 */
export const OUTBOX_RETRY = { firstMs: 500, maxMs: 60_000 } as const;
/** An outbox's safety net: if the send after a change never finishes (eviction, crash), the alarm sends it by then. */
export const OUTBOX_SAFETY_NET_MS = 2_000;

/**
 * What started an outbox's send. A `command`'s send (right after a sale) yields to a retry not yet due and
 * to D1's breaker, leaving its moves to the alarm; a `retry` (the alarm, an explicit flush) always tries.
 */
export type SendCause = "command" | "retry";

export interface ScheduleEntry {
  kind: string;
  key: string;
  due_at_ms: number;
  attempts: number;
}

/**
 * The table, mirrored in memory while the object lives (an object runs one event at a time, so nothing
 * else writes it): a write that would change nothing is skipped, and the earliest deadline is known without
 * a query. After a transaction that failed, `forget` drops the mirror; it is read again on next use.
 */
export class Schedule {
  /** Where the alarm points, as far as this instance knows; `undefined` until read from storage. */
  private armedAt: number | null | undefined;
  private mirror: Map<string, ScheduleEntry> | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Adds a deadline, or moves an existing one earlier (never later). */
  atOrBefore(kind: string, key: string, dueAtMs: number): void {
    const current = this.get(kind, key);
    if (current && current.due_at_ms <= dueAtMs) return;
    this.write({ kind, key, due_at_ms: dueAtMs, attempts: current?.attempts ?? 0 });
  }

  /** Sets a deadline to exactly this time, counting one more attempt. */
  retry(kind: string, key: string, dueAtMs: number): number {
    const attempts = (this.get(kind, key)?.attempts ?? 0) + 1;
    this.write({ kind, key, due_at_ms: dueAtMs, attempts });
    return attempts;
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

  /** Whether a retry is counted and not yet due: a send started before it only repeats the failure sooner. */
  backingOff(kind: string, key: string, nowMs: number): boolean {
    const entry = this.get(kind, key);
    return entry !== null && entry.attempts > 0 && entry.due_at_ms > nowMs;
  }

  /**
   * After failed attempts, a success starts the backoff over: drops a deadline that counts attempts, and
   * answers whether it did (whether this success ended a run of failures).
   */
  clearRetries(kind: string, key: string): boolean {
    if (!this.get(kind, key)?.attempts) return false;
    this.remove(kind, key);
    return true;
  }

  set(kind: string, key: string, dueAtMs: number): void {
    const current = this.get(kind, key);
    if (current && current.due_at_ms === dueAtMs && current.attempts === 0) return;
    this.write({ kind, key, due_at_ms: dueAtMs, attempts: 0 });
  }

  remove(kind: string, key: string): void {
    if (!this.get(kind, key)) return;
    this.storage.sql.exec("DELETE FROM schedule WHERE kind = ? AND key = ?", kind, key);
    this.entries().delete(slot(kind, key));
  }

  get(kind: string, key: string): ScheduleEntry | null {
    return this.entries().get(slot(kind, key)) ?? null;
  }

  dueBy(nowMs: number, limit = 500): ScheduleEntry[] {
    return [...this.entries().values()]
      .filter((e) => e.due_at_ms <= nowMs)
      .sort((a, b) => a.due_at_ms - b.due_at_ms)
      .slice(0, limit);
  }

  /** The alarm has fired: the runtime cleared it. */
  fired(): void {
    this.armedAt = null;
  }

  /** Drops the mirror after a failed transaction, whose writes were rolled back. */
  forget(): void {
    this.mirror = undefined;
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

  private earliest(): number | null {
    let earliest: number | null = null;
    for (const e of this.entries().values()) if (earliest === null || e.due_at_ms < earliest) earliest = e.due_at_ms;
    return earliest;
  }

  private write(entry: ScheduleEntry): void {
    this.storage.sql.exec(
      `INSERT INTO schedule (kind, key, due_at_ms, attempts) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET due_at_ms = excluded.due_at_ms, attempts = excluded.attempts`,
      entry.kind,
      entry.key,
      entry.due_at_ms,
      entry.attempts,
    );
    this.entries().set(slot(entry.kind, entry.key), entry);
  }

  private entries(): Map<string, ScheduleEntry> {
    this.mirror ??= new Map(
      this.storage.sql
        .exec<ScheduleEntry & Record<string, SqlStorageValue>>("SELECT kind, key, due_at_ms, attempts FROM schedule")
        .toArray()
        .map((e) => [slot(e.kind, e.key), { kind: e.kind, key: e.key, due_at_ms: e.due_at_ms, attempts: e.attempts }]),
    );
    return this.mirror;
  }
}

const slot = (kind: string, key: string) => `${kind}\u0000${key}`;
