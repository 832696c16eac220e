/**
 * Owns a coordinator's `intent` table: the one change in flight, written before the first call to another
 * object and cleared, in the same transaction as the change's final record, once every call is done. Its
 * recovery deadline lives in the object's schedule, so an object that dies mid-change is woken to finish.
 */
import type { SchemaPart } from "./migrate";
import type { Schedule } from "./schedule";

export const INTENT_SCHEMA: SchemaPart = {
  owner: "intent",
  steps: ["CREATE TABLE intent (id INTEGER PRIMARY KEY CHECK (id = 1), payload TEXT NOT NULL);"],
};

/** The deadline by which an intent written before a call out is finished, if its call never returns. */
export const RECOVERY = { kind: "recovery", key: "intent" } as const;
export const RECOVERY_DELAY_MS = 1_000;

export class IntentLog<Intent> {
  /** The intent in flight, kept in memory while the object lives; `forget` drops it. */
  private inFlight: Intent | null | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
    private readonly exists: () => boolean,
  ) {}

  /**
   * Records a new intent and its recovery deadline (inside the caller's transaction). A deadline still set
   * from an earlier intent is earlier still and serves: the alarm that finds no intent removes it, so a busy
   * object writes it about once a second rather than twice a call.
   */
  record(intent: Intent, nowMs: number): void {
    this.advance(intent);
    this.schedule.atOrBefore(RECOVERY.kind, RECOVERY.key, nowMs + RECOVERY_DELAY_MS);
  }

  /** Replaces the intent in flight with its next phase. */
  advance(intent: Intent): void {
    this.sql.exec(
      "INSERT INTO intent (id, payload) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
      JSON.stringify(intent),
    );
    this.inFlight = intent;
  }

  /** The change is complete. Its recovery deadline is left to ring (see `record`), unless it had failed. */
  finish(): void {
    this.sql.exec("DELETE FROM intent");
    this.inFlight = null;
    this.schedule.clearRetries(RECOVERY.kind, RECOVERY.key);
  }

  /** After an alarm: with nothing in flight, the recovery deadline is spent. */
  settle(): void {
    if (this.current() === null) this.schedule.remove(RECOVERY.kind, RECOVERY.key);
  }

  /** What a previous call left in flight, if anything. */
  current(): Intent | null {
    if (!this.exists()) return null;
    if (this.inFlight === undefined) {
      const row = this.sql.exec<{ payload: string }>("SELECT payload FROM intent").toArray()[0];
      this.inFlight = row ? (JSON.parse(row.payload) as Intent) : null;
    }
    return this.inFlight;
  }

  forget(): void {
    this.inFlight = undefined;
  }
}
