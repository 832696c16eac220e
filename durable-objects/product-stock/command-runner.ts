/**
 * The one way a SKU's command runs: recall a keyed retry, load the state the command names, decide with the
 * pure ledger, store the moves and records, remember the answer, all in one synchronous SQLite transaction
 * (no await inside, so nothing interleaves between the read and the write). Afterwards it arms the alarm
 * and starts the outboxes when moves were appended. The alarm's expiry of holds runs the same way.
 */
import { fail, succeed, type ApiError, type Outcome } from "../domain/contract";
import { decide, type CommittedLine, type Command, type Hold } from "../domain/ledger";
import { SYSTEM_ACTOR, type Actor } from "../domain/actors";
import { refusalToError } from "../domain/refusals";
import type { IdempotencyToken } from "../domain/contract";
import { describeError, failureOf } from "../shared/calls";
import type { IdempotencyStore } from "../shared/idempotency";
import { transactSync } from "../shared/memory";
import type { Schedule } from "../shared/schedule";
import { clock } from "../shared/clock";
import { LEGACY_HOLD_DEADLINE, type HoldsStore } from "./holds-store";
import type { Appended, LedgerStore } from "./ledger-store";
import type { EventOutbox } from "./event-outbox";
import type { Projector } from "./projector";
import type { productStockSchema } from "./schema";
import type { SettingsStore } from "./settings-store";
import { incomingView, type Incoming, type IncomingStore } from "./incoming-store";

/** An Idempotency-Key's token, and the operation it was sent to (keys are scoped by it). */
export interface KeyedRequest {
  scope: string;
  token: IdempotencyToken;
}

/**
 * What a command left behind: the moves appended, the stock after them, and the hold, line and (v1.2)
 * incoming it names (with the incoming as it was before).
 */
export interface Applied extends Appended {
  hold: Hold | null;
  line: CommittedLine | null;
  incoming: Incoming | null;
  incomingExisted: boolean;
}

/** The actor of a command that never makes a move (a commit's prepare and abort pin and unpin a hold). */
export const NO_MOVES: Actor = SYSTEM_ACTOR;

/** The stores a SKU's object keeps, each mirroring its table in memory while the object lives. */
export interface SkuStores {
  schedule: Schedule;
  idempotency: IdempotencyStore;
  ledger: LedgerStore;
  holds: HoldsStore;
  projector: Projector;
  events: EventOutbox;
  settings: SettingsStore;
  incoming: IncomingStore;
}

/** Rolls back the tables a new SKU's command made when it moved nothing, carrying its answer out. */
class NothingToKeep {
  constructor(readonly outcome: Outcome<unknown>) {}
}

export class CommandRunner {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly schema: ReturnType<typeof productStockSchema>,
    private readonly stores: SkuStores,
  ) {}


  /**
   * Runs a command in one synchronous transaction (no await inside, so nothing interleaves between the read
   * and the write): recall a keyed retry, load the state the command names, decide, store, remember.
   * Afterwards arms the alarm and starts the flush to D1 when moves were appended.
   */
  async run<T>(
    sku: string,
    command: Command,
    actor: Actor,
    reply: (after: Applied) => T,
    idem: KeyedRequest | null = null,
  ): Promise<Outcome<T>> {
    const fresh = !this.schema.exists;
    let ran: { outcome: Outcome<T>; moved: boolean };
    try {
      ran = this.transactSync(() => {
        this.schema.ensure();
        const once = this.runOnce(sku, command, actor, reply, idem);
        // A SKU that never stored anything keeps nothing of a command that moved nothing (a refusal, a release
        // of nothing), not even its tables; a keyed one keeps its remembered answer, and so its tables.
        if (fresh && !once.moved && idem === null) throw new NothingToKeep(once.outcome);
        return once;
      });
    } catch (err) {
      if (fresh) this.schema.forget();
      if (err instanceof NothingToKeep) return err.outcome as Outcome<T>;
      // Rolled back whole: nothing was stored. The caller hears it as an outcome, like every failure.
      console.error(`${command.type} on ${sku} failed and was rolled back: ${describeError(err)}`);
      return failureOf(err);
    }
    await this.stores.schedule.arm();
    if (ran.moved) this.sendOutboxes();
    return ran.outcome;
  }

  /** The body of `run`'s transaction: a keyed retry answers as before; anything else is decided now. */
  private runOnce<T>(
    sku: string,
    command: Command,
    actor: Actor,
    reply: (after: Applied) => T,
    idem: KeyedRequest | null,
  ): { outcome: Outcome<T>; moved: boolean } {
    const now = clock.now();
    const prior = idem ? this.stores.idempotency.recall<T>(idem.scope, idem.token, now) : null;
    if (prior) return { outcome: prior, moved: false };
    const result = this.apply(sku, command, actor, now);
    const outcome: Outcome<T> = result.ok ? succeed(reply(result.applied)) : result;
    if (idem) this.stores.idempotency.remember(idem.scope, idem.token, outcome, now);
    return { outcome, moved: result.ok && result.applied.moves.length > 0 };
  }

  /** Load → decide → store, inside the caller's transaction. */
  private apply(sku: string, command: Command, actor: Actor, now: number): { ok: true; applied: Applied } | { ok: false; error: ApiError } {
    const ledger = this.stores.ledger.state();
    const hold = "reservation_id" in command ? this.stores.holds.holdOf(command.reservation_id) : null;
    const line = "order_id" in command ? this.stores.holds.lineOf(command.order_id) : null;
    const incomingId = "incoming_id" in command ? command.incoming_id : null;
    const incoming = incomingId === null ? null : this.stores.incoming.get(incomingId);
    const policy = this.stores.settings.policy();
    const bundle = this.stores.settings.current().bundle;
    const decision = decide({ stock: ledger, at: ledger.at, hold, line, policy, incoming, bundle }, command);
    if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
    const appended = this.stores.ledger.append(sku, ledger, decision.moves, now, this.stores.settings.current().low_stock_threshold, actor);
    if (appended.moves.length > 0) {
      this.stores.projector.noteAppended(now);
      this.stores.events.noteAppended(now);
    }
    if (decision.hold) this.stores.holds.put(decision.hold);
    if (decision.line) this.stores.holds.putLine(decision.line);
    const storedIncoming = decision.incoming ? this.stores.incoming.put(decision.incoming, now) : incoming;
    const after = decision.hold ?? hold;
    return {
      ok: true,
      applied: {
        ...appended,
        hold: after && after.quantity > 0 ? after : null,
        line: decision.line ?? line,
        incoming: storedIncoming && incomingView(sku, storedIncoming),
        incomingExisted: incoming !== null,
      },
    };
  }

  /** Releases, as expired, every unpinned hold whose own deadline has passed, and schedules the next. */
  releaseExpiredHolds(): void {
    const sku = this.stores.ledger.sku();
    this.transactSync(() => {
      const now = clock.now();
      for (const entry of this.stores.schedule.dueBy(now)) {
        if (entry.kind === LEGACY_HOLD_DEADLINE) this.stores.schedule.remove(entry.kind, entry.key);
      }
      if (sku) {
        for (const hold of this.stores.holds.dueBy(now)) {
          this.apply(sku, { type: "expire", reservation_id: hold.reservation_id, now_ms: now }, SYSTEM_ACTOR, now);
        }
      }
      this.stores.holds.rescheduleDeadlines();
    });
  }

  /**
   * One synchronous transaction. The stores keep what they read in memory; if the transaction fails, its
   * writes are rolled back and so is their memory.
   */
  transactSync<T>(body: () => T): T {
    return transactSync(
      this.ctx.storage,
      [this.stores.ledger, this.stores.holds, this.stores.schedule, this.stores.projector, this.stores.events, this.stores.settings],
      body,
    );
  }

  /** Starts sending new moves to D1 and their events to the queue; the alarm retries what fails. */
  private sendOutboxes(): void {
    this.ctx.waitUntil(this.stores.projector.flush("command"));
    this.ctx.waitUntil(this.stores.events.flush("command"));
  }

  /** (v1.2) Bundle or plain SKU, decided with the ledger: a SKU with moves never becomes a bundle. */
  markBundle(sku: string, bundle: boolean): Outcome<{ sku: string; bundle: boolean }> {
    if (!bundle && !this.stores.settings.current().bundle) return succeed({ sku, bundle });
    this.schema.ensure();
    const refused = this.transactSync(() => {
      if (bundle && this.stores.ledger.state().sku !== null) return true;
      this.stores.settings.put({ bundle }, clock.now());
      return false;
    });
    if (refused) return fail("conflict", `${sku} has moves, so it cannot become a bundle`);
    return succeed({ sku, bundle });
  }
}
