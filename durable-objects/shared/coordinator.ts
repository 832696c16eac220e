/**
 * What the Reservation and Order objects share as coordinators of other objects: a versioned schema, a
 * schedule behind the one alarm, idempotency records, a serial queue (the input gate opens on every await
 * to another object), and an alarm that finishes what a previous instance left undone, with backoff.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import { peersOf, type Peers } from "./calls";
import { IdempotencyStore } from "./idempotency";
import { LazySchema } from "./migrate";
import { Schedule } from "./schedule";
import { SerialQueue } from "./serial";

/** The deadline by which an intent written before a call out is finished, if its call never returns. */
export const RECOVERY = { kind: "recovery", key: "intent" } as const;
export const RECOVERY_DELAY_MS = 1_000;
const RECOVERY_BACKOFF_MAX_MS = 60_000;

export abstract class Coordinator extends DurableObject<ObjectBindings> {
  protected readonly sql: SqlStorage;
  /** Created by the first write: a read of an id that was never written leaves no storage. */
  protected readonly schema: LazySchema;
  protected readonly schedule: Schedule;
  protected readonly idempotency: IdempotencyStore;
  protected readonly queue = new SerialQueue();
  /** The other objects this one calls. */
  protected peers: Peers;

  constructor(ctx: DurableObjectState, env: ObjectBindings, steps: readonly string[]) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.schema = new LazySchema(ctx.storage, steps);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(this.sql);
    this.peers = peersOf(env);
  }

  /** The alarm's work: finish any intent left over, then whatever deadline is due. */
  protected abstract onAlarm(): Promise<void>;

  override async alarm(): Promise<void> {
    this.schedule.fired();
    if (!this.schema.exists) return;
    await this.queue.run(async () => {
      try {
        await this.onAlarm();
      } catch (err) {
        const { attempt, delayMs } = this.schedule.backOff(
          RECOVERY.kind,
          RECOVERY.key,
          RECOVERY_DELAY_MS,
          RECOVERY_BACKOFF_MAX_MS,
        );
        console.warn(`${this.constructor.name} recovery failed (attempt ${attempt}, retry in ${delayMs} ms): ${String(err)}`);
      }
      await this.schedule.arm();
    });
  }

  /** Points the alarm at the earliest deadline, if this object has stored anything. */
  protected async armIfStored(): Promise<void> {
    if (this.schema.exists) await this.schedule.arm();
  }
}
