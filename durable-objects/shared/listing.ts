/**
 * A coordinator's record copied to D1 for the listings (GET /v1/reservations, GET /v1/orders), through an
 * outbox: a change marks the record dirty (a `revision` above the one last copied) in the same transaction
 * as the record, and sets the object's alarm within 2 s, which sends the copy (retried with backoff). A busy
 * record is copied once per ring, not once per change, so listings add little to D1's writes. D1 keeps a
 * row only for a higher revision, so a retried or late copy changes nothing.
 *
 * A copy reads the record when it is sent, so a change to a record already dirty needs no new revision,
 * unless a copy may have carried the current one: then it would be taken for a copy D1 already has.
 */
import { SingleFlight } from "./serial";
import type { Remembers } from "./memory";
import type { SchemaPart } from "./migrate";
import { OUTBOX_RETRY, OUTBOX_SAFETY_NET_MS, type Schedule } from "./schedule";
import { logEvent } from "./log";
import { clock } from "./clock";
import { d1Writes } from "./d1-breaker";

export const LISTING_SCHEMA: SchemaPart = {
  owner: "listing",
  steps: [
    `CREATE TABLE listing (
       id        INTEGER PRIMARY KEY CHECK (id = 1),
       revision  INTEGER NOT NULL CHECK (revision >= 1),
       projected INTEGER NOT NULL DEFAULT 0
     );`,
  ],
};

const LISTING = { kind: "listing", key: "d1" } as const;

interface ListingState {
  revision: number;
  projected: number;
}

export class Listing implements Remembers {
  private state: ListingState | undefined;
  /**
   * Whether a copy may have carried the stored revision (one sent in this instance's life, or in an
   * earlier one's: not known, so assumed).
   */
  private sent = true;
  private readonly inFlight = new SingleFlight();

  constructor(
    private readonly sql: SqlStorage,
    private readonly schedule: Schedule,
    private readonly exists: () => boolean,
    private readonly db: () => D1Database,
    /** The statements that copy the record as of `revision`; null when there is nothing to copy. */
    private readonly statements: (db: D1Database, revision: number) => D1PreparedStatement[] | null,
  ) {}

  /** Inside the transaction that changed the record. */
  noteChanged(nowMs: number): void {
    const { revision, projected } = this.current();
    if (this.sent || projected >= revision) {
      this.sql.exec(
        "INSERT INTO listing (id, revision) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET revision = excluded.revision",
        revision + 1,
      );
      this.state = { revision: revision + 1, projected };
      this.sent = false;
    }
    this.schedule.atOrBefore(LISTING.kind, LISTING.key, nowMs + OUTBOX_SAFETY_NET_MS);
  }

  /** One copy at a time; later callers share the running one. */
  flush(): Promise<void> {
    if (!this.exists()) return Promise.resolve();
    return this.inFlight.run(() => this.drain());
  }

  /** After an alarm's flush: with nothing left to copy, the safety net is spent. */
  settle(): void {
    const { revision, projected } = this.current();
    if (projected >= revision) this.schedule.remove(LISTING.kind, LISTING.key);
  }

  forget(): void {
    this.state = undefined;
    this.sent = true;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const { revision, projected } = this.current();
      if (projected >= revision) return;
      const statements = this.statements(this.db(), revision);
      this.sent = true;
      try {
        if (statements) await this.db().batch(statements);
        d1Writes.succeeded();
      } catch (err) {
        d1Writes.failed(clock.now());
        const { attempt, delayMs } = this.schedule.backOff(LISTING.kind, LISTING.key, OUTBOX_RETRY.firstMs, OUTBOX_RETRY.maxMs);
        logEvent("warn", "listing_retry", { revision, attempt, retry_in_ms: delayMs, error: String(err) });
        await this.schedule.arm();
        return;
      }
      this.sql.exec("UPDATE listing SET projected = max(projected, ?)", revision);
      this.state = { ...this.current(), projected: Math.max(this.current().projected, revision) };
      this.schedule.clearRetries(LISTING.kind, LISTING.key);
    }
  }

  private current(): ListingState {
    this.state ??= this.sql.exec<{ revision: number; projected: number }>("SELECT revision, projected FROM listing").toArray()[0] ?? {
      revision: 0,
      projected: 0,
    };
    return this.state;
  }
}
