/**
 * Idempotency records kept beside the state they protect, so a command and the record of its outcome
 * commit in the same transaction. Scoped by the caller (method and path), kept 24 hours.
 */
import { fail, type IdempotencyToken, type Outcome } from "../domain/contract";
import type { SchemaPart } from "./migrate";

export const IDEMPOTENCY_SCHEMA: SchemaPart = {
  owner: "idempotency",
  steps: [
    `
    CREATE TABLE idempotency (
      scope_key     TEXT    PRIMARY KEY,
      fingerprint   TEXT    NOT NULL,
      outcome       TEXT    NOT NULL,
      created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);
    `,
  ],
};

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const PRUNE_BATCH = 100;

export class IdempotencyStore {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * The stored outcome when this key was seen with the same body, an `idempotency_conflict` when it was
   * seen with another, or null when it is new (or older than 24 h).
   */
  recall<T>(scope: string, token: IdempotencyToken, nowMs: number): Outcome<T> | null {
    const row = this.sql
      .exec<{ fingerprint: string; outcome: string }>(
        "SELECT fingerprint, outcome FROM idempotency WHERE scope_key = ? AND created_at_ms > ?",
        `${scope} ${token.key}`,
        nowMs - IDEMPOTENCY_TTL_MS,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.fingerprint !== token.fingerprint) {
      return fail("idempotency_conflict", "this Idempotency-Key was used with a different request");
    }
    return JSON.parse(row.outcome) as Outcome<T>;
  }

  remember(scope: string, token: IdempotencyToken, outcome: Outcome<unknown>, nowMs: number): void {
    this.sql.exec(
      `INSERT INTO idempotency (scope_key, fingerprint, outcome, created_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope_key) DO UPDATE SET fingerprint = excluded.fingerprint,
         outcome = excluded.outcome, created_at_ms = excluded.created_at_ms`,
      `${scope} ${token.key}`,
      token.fingerprint,
      JSON.stringify(outcome),
      nowMs,
    );
    this.prune(nowMs);
  }

  /** Deletes a bounded batch of expired records; called on every write, so they never pile up. */
  private prune(nowMs: number): void {
    this.sql.exec(
      `DELETE FROM idempotency WHERE scope_key IN (
         SELECT scope_key FROM idempotency WHERE created_at_ms <= ? ORDER BY created_at_ms LIMIT ?)`,
      nowMs - IDEMPOTENCY_TTL_MS,
      PRUNE_BATCH,
    );
  }
}
