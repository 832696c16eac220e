/**
 * What the Reservation and Order objects share as coordinators of other objects: a versioned schema, a
 * schedule behind the one alarm, idempotency records, an intent log, and one way to run: one call at a
 * time (the input gate opens on every await to another object), each after finishing whatever a previous
 * instance left undone; the alarm does the same, with backoff.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import type { Outcome } from "../domain/contract";
import { describeError, failureOf, peersOf, type Peers } from "./calls";
import { IdempotencyStore } from "./idempotency";
import { IntentLog, RECOVERY, RECOVERY_DELAY_MS } from "./intent-log";
import { Listing } from "./listing";
import { transactSync } from "./memory";
import { LazySchema, type Schema } from "./migrate";
import { Schedule } from "./schedule";
import { SerialQueue } from "./serial";
import { clock } from "./clock";
import { logEvent } from "./log";

const RECOVERY_BACKOFF_MAX_MS = 60_000;

export abstract class Coordinator<Intent> extends DurableObject<ObjectBindings> {
  protected readonly sql: SqlStorage;
  /** Created by the first write: a read of an id that was never written leaves no storage. */
  protected readonly schema: LazySchema;
  protected readonly schedule: Schedule;
  protected readonly idempotency: IdempotencyStore;
  protected readonly intents: IntentLog<Intent>;
  /** The record's copy in D1, for the listings. */
  protected readonly listing: Listing;
  private readonly queue = new SerialQueue();
  /** The other objects this one calls. */
  protected peers: Peers;

  constructor(ctx: DurableObjectState, env: ObjectBindings, schema: Schema) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.schema = new LazySchema(ctx.storage, schema);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(this.sql);
    this.intents = new IntentLog<Intent>(this.sql, this.schedule, () => this.schema.exists);
    this.listing = new Listing(this.sql, this.schedule, () => this.schema.exists, () => env.DB, (db, revision) =>
      this.listingStatements(db, revision),
    );
    this.peers = peersOf(env);
  }

  /** Waits for the record's copy to reach D1, or for the attempt to fail and be rescheduled (tests, operators). */
  async flushListing(): Promise<void> {
    await this.listing.flush();
  }

  /** The statements that copy this object's record to D1 as of `revision` (null: nothing to copy yet). */
  protected abstract listingStatements(db: D1Database, revision: number): D1PreparedStatement[] | null;

  /** Finishes any intent a previous instance left, then whatever deadline is due. */
  protected abstract catchUp(): Promise<void>;

  /**
   * Runs `call` after catching up, one call at a time. A failure becomes an outcome (503 when a retry may
   * succeed, else a fixed 500); its intent stays recorded for the next call or the alarm to finish.
   */
  protected serially<T>(what: string, call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    return this.queue.run(async () => {
      try {
        await this.catchUp();
        return await call();
      } catch (err) {
        logEvent("error", "call_failed_recovery_scheduled", { object: this.constructor.name, call: what, error: describeError(err) });
        return failureOf(err);
      } finally {
        await this.armIfStored();
      }
    });
  }

  override async alarm(): Promise<void> {
    this.schedule.fired();
    if (!this.schema.exists) return;
    await this.queue.run(async () => {
      try {
        await this.catchUp();
        this.transactSync(() => {
          this.intents.settle();
          this.afterAlarm();
        });
      } catch (err) {
        const { attempt, delayMs } = this.schedule.backOff(
          RECOVERY.kind,
          RECOVERY.key,
          RECOVERY_DELAY_MS,
          RECOVERY_BACKOFF_MAX_MS,
        );
        logEvent("warn", "recovery_retry", { object: this.constructor.name, attempt, retry_in_ms: delayMs, error: describeError(err) });
      }
    });
    // The listing's copy rides on the alarm, outside the serial queue: a busy object writes D1 once per
    // ring, not once per call, and no call waits on it.
    await this.listing.flush();
    this.transactSync(() => this.listing.settle());
    await this.schedule.arm();
  }

  /**
   * Records an intent and arms the alarm for its recovery before the first call out, so an object that
   * dies during the call is woken to finish it.
   */
  protected async begin(intent: Intent): Promise<void> {
    this.schema.ensure();
    this.transactSync(() => this.intents.record(intent, clock.now()));
    await this.schedule.arm();
  }

  /** Deadlines a subclass re-points once its alarm has caught up (it may have rung early). */
  protected afterAlarm(): void {}

  /** What the subclass keeps in memory besides the intent and the schedule, dropped after a failed transaction. */
  protected forgetMemory(): void {}

  /**
   * One synchronous transaction. The stores keep what they read in memory; if the transaction fails, its
   * writes are rolled back and so is their memory.
   */
  protected transactSync<T>(body: () => T): T {
    return transactSync(this.ctx.storage, [this.intents, this.schedule, this.listing, { forget: () => this.forgetMemory() }], body);
  }

  /** Points the alarm at the earliest deadline, if this object has stored anything. */
  protected async armIfStored(): Promise<void> {
    if (this.schema.exists) await this.schedule.arm();
  }
}
