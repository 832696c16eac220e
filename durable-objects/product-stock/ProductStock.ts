/**
 * One Durable Object per SKU (`idFromName(sku)`): the ledger is the truth for that SKU. Every command
 * reads the snapshot, decides and appends its moves in one synchronous SQLite transaction; D1 hears about
 * the moves afterwards from the Projector, and the events queue from the EventOutbox (for each, the ledger
 * past a watermark is the outbox), sent at once and retried from the alarm.
 *
 * Reservation-facing commands are targets, not deltas ("hold 3 for cart:81", "order-9 has fulfilled 2"),
 * so a coordinator may send the same one again after a crash and nothing moves twice.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import {
  fail,
  succeed,
  type ApiError,
  type IdempotencyToken,
  type MovesPage,
  isoInstant,
  type MoveWithStock,
  type SkuSettings,
  type OrderLine,
  type Outcome,
  type Stock,
} from "../domain/contract";
import {
  decide,
  type Allocation,
  type At,
  type CommittedLine,
  type Command,
  type Hold,
  type HoldPlace,
  type OrderTotals,
  type ReleaseReason,
} from "../domain/ledger";
import { DEFAULT_LOCATION } from "../domain/locations";
import { SYSTEM_ACTOR, type Actor } from "../domain/actors";
import { refusalToError } from "../domain/refusals";
import { describeError, failureOf } from "../shared/calls";
import { IdempotencyStore } from "../shared/idempotency";
import { transactSync } from "../shared/memory";
import { Schedule } from "../shared/schedule";
import { HoldsStore, LEGACY_HOLD_DEADLINE } from "./holds-store";
import { emptyStock, LedgerStore, type Appended } from "./ledger-store";
import { EventOutbox } from "./event-outbox";
import { Projector } from "./projector";
import { LagReport } from "./lag-report";
import { productStockSchema } from "./schema";
import { SettingsStore, type Settings, type SettingsPatch } from "./settings-store";
import { IncomingStore, incomingView, type Incoming } from "./incoming-store";
import type { IncomingStatus } from "../domain/incoming";
import { clock } from "../shared/clock";

export interface ReceiveInput {
  quantity: number;
  reason?: string | undefined;
  ref?: string | undefined;
  /** (v1.2) A location the edge checked against the registry; absent: `default` (or the incoming's). */
  location?: string | undefined;
  /** (v1.2) The incoming the receipt counts against. */
  incoming_id?: string | undefined;
}

export interface AdjustInput {
  delta: number;
  reason: string;
  ref?: string | undefined;
  expected_version?: number | undefined;
  location?: string | undefined;
  /** (v1.2) Lets the adjust take available below 0 (the SKU is then short). */
  allow_short?: boolean | undefined;
}

/** (v1.2) PUT …/incoming/:id. */
export interface IncomingInput {
  quantity: number;
  expected_at_ms: number;
  location?: string | undefined;
}

export interface CountInput {
  on_hand: number;
  reason?: string | undefined;
  ref?: string | undefined;
  expected_version?: number | undefined;
  location?: string | undefined;
}

export interface TransferInput {
  from: string;
  to: string;
  quantity: number;
  reason?: string | undefined;
  ref?: string | undefined;
  expected_version?: number | undefined;
}

/** Where an operator's command acts: the location it names, or `default`. */
const atOf = (location: string | undefined): At => ({ location: location ?? DEFAULT_LOCATION, named: location !== undefined });

/** A stocktake's answer: the move it made (null when the count equalled on_hand) and the stock after. */
export interface CountResult {
  move: MoveWithStock["move"] | null;
  stock: Stock;
}

export interface HoldResult {
  sku: string;
  held: number;
  /** (v1.2) Where it is held, in allocation order. */
  allocations: Allocation[];
}

/** An Idempotency-Key's token, and the operation it was sent to (keys are scoped by it). */
interface KeyedRequest {
  scope: string;
  token: IdempotencyToken;
}

/**
 * What a command left behind: the moves appended, the stock after them, and the hold, line and (v1.2)
 * incoming it names (with the incoming as it was before).
 */
interface Applied extends Appended {
  hold: Hold | null;
  line: CommittedLine | null;
  incoming: Incoming | null;
  incomingExisted: boolean;
}

/** The actor of a command that never makes a move (a commit's prepare and abort pin and unpin a hold). */
const NO_MOVES: Actor = SYSTEM_ACTOR;

export class ProductStock extends DurableObject<ObjectBindings> {
  private readonly schema: ReturnType<typeof productStockSchema>;
  private readonly schedule: Schedule;
  private readonly idempotency: IdempotencyStore;
  private readonly ledger: LedgerStore;
  private readonly holds: HoldsStore;
  private readonly projector: Projector;
  private readonly events: EventOutbox;
  private readonly settings: SettingsStore;
  private readonly incoming: IncomingStore;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = productStockSchema(ctx.storage);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    this.settings = new SettingsStore(ctx.storage.sql, () => this.schema.exists);
    this.incoming = new IncomingStore(ctx.storage.sql, () => this.schema.exists);
    this.ledger = new LedgerStore(ctx.storage.sql, this.schema, () => this.settings.policy());
    this.holds = new HoldsStore(ctx.storage.sql, this.schedule);
    this.projector = new Projector(ctx.storage, this.schedule, env, this.ledger, this.settings, new LagReport(env, "projection"));
    this.events = new EventOutbox(ctx.storage, this.schedule, env.STOCK_EVENTS, this.ledger, new LagReport(env, "events"));
  }

  // ---- operator commands -------------------------------------------------------------------------

  async receive(sku: string, input: ReceiveInput, idem: IdempotencyToken | null, actor: Actor): Promise<Outcome<MoveWithStock>> {
    const command: Command = {
      type: "receive",
      quantity: input.quantity,
      reason: input.reason ?? null,
      ref: input.ref ?? null,
      at: atOf(input.location),
      incoming_id: input.incoming_id ?? null,
    };
    return this.run(sku, command, actor, firstMoveWithStock, idem && { scope: "receive", token: idem });
  }

  async adjust(sku: string, input: AdjustInput, idem: IdempotencyToken | null, actor: Actor): Promise<Outcome<MoveWithStock>> {
    const command: Command = {
      type: "adjust",
      delta: input.delta,
      reason: input.reason,
      ref: input.ref ?? null,
      expected_version: input.expected_version ?? null,
      at: atOf(input.location),
      allow_short: input.allow_short ?? false,
    };
    return this.run(sku, command, actor, firstMoveWithStock, idem && { scope: "adjust", token: idem });
  }

  // ---- incoming (contract v1.2) ------------------------------------------------------------------

  /** Declares or changes an incoming; `created` says which. Every change of what is expected is a move. */
  async putIncoming(sku: string, id: string, input: IncomingInput, actor: Actor): Promise<Outcome<Incoming>> {
    const command: Command = {
      type: "expect",
      incoming_id: id,
      quantity: input.quantity,
      location: input.location ?? DEFAULT_LOCATION,
      expected_at_ms: input.expected_at_ms,
    };
    const put = await this.run(sku, command, actor, ({ incoming, incomingExisted }) => ({ incoming: incoming!, created: !incomingExisted }));
    return put.ok ? { ok: true, value: put.value.incoming, created: put.value.created } : put;
  }

  /** Cancels what an incoming has not yet received: one `expected_cancelled` move. */
  async cancelIncoming(sku: string, id: string, actor: Actor): Promise<Outcome<Incoming>> {
    return this.run(sku, { type: "cancel_incoming", incoming_id: id }, actor, ({ incoming }) => incoming!);
  }

  async getIncoming(sku: string, id: string): Promise<Outcome<Incoming>> {
    const found = this.incoming.get(id);
    return found ? succeed(incomingView(sku, found)) : fail("not_found", `${sku} has no incoming ${id}`);
  }

  async listIncoming(sku: string, status: IncomingStatus | null): Promise<Outcome<{ items: Incoming[] }>> {
    return succeed({ items: this.incoming.list(status).map((i) => incomingView(sku, i)) });
  }

  /** (v1.2) Units from one location to another: one `transferred` move, refused past `from`'s available. */
  async transfer(sku: string, input: TransferInput, idem: IdempotencyToken | null, actor: Actor): Promise<Outcome<MoveWithStock>> {
    const command: Command = {
      type: "transfer",
      from: input.from,
      to: input.to,
      quantity: input.quantity,
      reason: input.reason ?? null,
      ref: input.ref ?? null,
      expected_version: input.expected_version ?? null,
    };
    return this.run(sku, command, actor, firstMoveWithStock, idem && { scope: "transfer", token: idem });
  }

  /**
   * A stocktake: on_hand becomes `on_hand`, decided inside the transaction, so a sale between the count and
   * this call is not overwritten (and `expected_version` can refuse a count that raced one). `created` marks
   * a count that made a move. A line of a bulk count keeps its key in the scope `counts`, apart from single
   * counts sent with the same key.
   */
  async count(
    sku: string,
    input: CountInput,
    idem: IdempotencyToken | null,
    actor: Actor,
    scope: "count" | "counts" = "count",
  ): Promise<Outcome<CountResult>> {
    const command: Command = {
      type: "count",
      on_hand: input.on_hand,
      reason: input.reason ?? "count",
      ref: input.ref ?? null,
      expected_version: input.expected_version ?? null,
      at: atOf(input.location),
    };
    const outcome = await this.run(
      sku,
      command,
      actor,
      ({ moves, stock }): CountResult => ({ move: moves[0] ?? null, stock: moves.length > 0 ? stock : this.stockNow(sku) }),
      idem && { scope, token: idem },
    );
    return outcome.ok && outcome.value.move ? { ...outcome, created: true } : outcome;
  }

  // ---- reservation and order commands (called by the coordinators) -------------------------------

  /**
   * Sets what `reservationId` holds of this SKU to `quantity` (0 releases), with a fallback deadline after
   * which the hold is released as expired even if its coordinator never returns.
   */
  async hold(
    sku: string,
    reservationId: string,
    quantity: number,
    deadlineMs: number,
    reason: ReleaseReason,
    actor: Actor,
    place: HoldPlace = { order: [DEFAULT_LOCATION] },
  ): Promise<Outcome<HoldResult>> {
    const command: Command = {
      type: "hold",
      reservation_id: reservationId,
      quantity,
      place,
      expires_at_ms: deadlineMs,
      release_reason: reason,
    };
    return this.run(sku, command, actor, ({ hold }) => ({ sku, held: quantity, allocations: hold?.allocations ?? [] }));
  }

  /** (v1.2) What a reservation holds here and where (null when it holds nothing). */
  async heldBy(reservationId: string): Promise<HoldResult | null> {
    const hold = this.schema.exists ? this.holds.holdOf(reservationId) : null;
    return hold ? { sku: this.ledger.sku() ?? "", held: hold.quantity, allocations: hold.allocations } : null;
  }

  /**
   * First phase of a commit: pins the hold so its own deadline can no longer release it. Succeeds when the
   * hold is exactly `quantity`, is already pinned for this order, or the order already took it.
   */
  async prepareCommit(sku: string, reservationId: string, orderId: string, quantity: number): Promise<Outcome<HoldResult>> {
    const command: Command = { type: "prepare_commit", reservation_id: reservationId, order_id: orderId, quantity };
    return this.run(sku, command, NO_MOVES, ({ line, hold }) =>
      line?.reservation_id === reservationId
        ? { sku, held: line.committed, allocations: line.allocations.map((a) => ({ location: a.location, quantity: a.committed })) }
        : { sku, held: quantity, allocations: hold?.allocations ?? [] },
    );
  }

  /** Undoes `prepareCommit`: the hold's deadline applies again. */
  async abortCommit(sku: string, reservationId: string, orderId: string, deadlineMs: number): Promise<Outcome<HoldResult>> {
    const command: Command = { type: "abort_commit", reservation_id: reservationId, order_id: orderId, expires_at_ms: deadlineMs };
    return this.run(sku, command, NO_MOVES, ({ hold }) => ({ sku, held: hold?.quantity ?? 0, allocations: hold?.allocations ?? [] }));
  }

  /** Second phase: the pinned hold becomes the order's committed quantity. Idempotent by order id. */
  async commit(sku: string, reservationId: string, orderId: string, actor: Actor): Promise<Outcome<OrderLine>> {
    const command: Command = { type: "commit", reservation_id: reservationId, order_id: orderId };
    return this.run(sku, command, actor, ({ line }) => lineOf(sku, line!));
  }

  /**
   * Brings an order's totals for this SKU up to `target`, at `location` or over the line's allocations in
   * order; totals only grow, so a repeat moves nothing.
   */
  async applyOrderTotals(
    sku: string,
    orderId: string,
    target: OrderTotals,
    actor: Actor,
    location: string | null = null,
  ): Promise<Outcome<OrderLine>> {
    const command: Command = { type: "apply_order_totals", order_id: orderId, target, location };
    return this.run(sku, command, actor, ({ line }) => lineOf(sku, line!));
  }

  // ---- settings (contract v1.1) -------------------------------------------------------------------

  /** A SKU never configured answers nulls, and keeps no storage. */
  async getSettings(sku: string): Promise<Outcome<SkuSettings>> {
    return succeed(settingsView(sku, this.settings.current()));
  }

  /** Settable before the SKU's first move; D1 hears of it through the projector, like a move. */
  async putSettings(sku: string, patch: SettingsPatch): Promise<Outcome<SkuSettings>> {
    this.schema.ensure();
    const now = clock.now();
    const stored = this.transactSync(() => {
      const stored = this.settings.put(patch, now);
      this.projector.noteSettingsChanged(now);
      return stored;
    });
    await this.schedule.arm();
    this.ctx.waitUntil(this.projector.flush("command"));
    return succeed(settingsView(sku, stored));
  }

  // ---- bundles (contract v1.2) --------------------------------------------------------------------

  /**
   * Makes this SKU a bundle (no stock of its own) or a plain SKU again. Decided in one transaction with the
   * ledger, so a SKU that has moves never becomes a bundle, and a bundle never takes a move.
   */
  async markBundle(sku: string, bundle: boolean): Promise<Outcome<{ sku: string; bundle: boolean }>> {
    if (!bundle && !this.settings.current().bundle) return succeed({ sku, bundle });
    this.schema.ensure();
    const refused = this.transactSync(() => {
      if (bundle && this.ledger.state().sku !== null) return true;
      this.settings.put({ bundle }, clock.now());
      return false;
    });
    if (refused) return fail("conflict", `${sku} has moves, so it cannot become a bundle`);
    return succeed({ sku, bundle });
  }

  /** Does nothing: the benchmark's ceiling for one call to a Durable Object. */
  async ping(): Promise<number> {
    return 1;
  }

  /** What a reservation holds here now (operators and tests). */
  async getHold(reservationId: string): Promise<Hold | null> {
    return this.schema.exists ? this.holds.holdOf(reservationId) : null;
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** The stock now; all zeros before the first move. */
  private stockNow(sku: string): Stock {
    return this.ledger.current() ?? emptyStock(sku);
  }

  async getStock(sku: string, atMs: number | null): Promise<Outcome<Stock>> {
    if (!this.ledger.holds(sku)) return notFound(sku);
    return succeed(atMs === null ? this.ledger.current()! : this.ledger.stockAt(sku, atMs));
  }

  async listMoves(sku: string, afterSeq: number, limit: number): Promise<Outcome<MovesPage>> {
    if (!this.ledger.holds(sku)) return notFound(sku);
    return succeed(this.ledger.page(afterSeq, limit));
  }

  // ---- the one command runner --------------------------------------------------------------------

  /**
   * Runs a command in one synchronous transaction (no await inside, so nothing interleaves between the read
   * and the write): recall a keyed retry, load the state the command names, decide, store, remember.
   * Afterwards arms the alarm and starts the flush to D1 when moves were appended.
   */
  private async run<T>(
    sku: string,
    command: Command,
    actor: Actor,
    reply: (after: Applied) => T,
    idem: KeyedRequest | null = null,
  ): Promise<Outcome<T>> {
    this.schema.ensure();
    let ran: { outcome: Outcome<T>; moved: boolean };
    try {
      ran = this.transactSync(() => this.runOnce(sku, command, actor, reply, idem));
    } catch (err) {
      // Rolled back whole: nothing was stored. The caller hears it as an outcome, like every failure.
      console.error(`${command.type} on ${sku} failed and was rolled back: ${describeError(err)}`);
      return failureOf(err);
    }
    await this.schedule.arm();
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
    const prior = idem ? this.idempotency.recall<T>(idem.scope, idem.token, now) : null;
    if (prior) return { outcome: prior, moved: false };
    const result = this.apply(sku, command, actor, now);
    const outcome: Outcome<T> = result.ok ? succeed(reply(result.applied)) : result;
    if (idem) this.idempotency.remember(idem.scope, idem.token, outcome, now);
    return { outcome, moved: result.ok && result.applied.moves.length > 0 };
  }

  /** Load → decide → store, inside the caller's transaction. */
  private apply(sku: string, command: Command, actor: Actor, now: number): { ok: true; applied: Applied } | { ok: false; error: ApiError } {
    const ledger = this.ledger.state();
    const hold = "reservation_id" in command ? this.holds.holdOf(command.reservation_id) : null;
    const line = "order_id" in command ? this.holds.lineOf(command.order_id) : null;
    const incomingId = "incoming_id" in command ? command.incoming_id : null;
    const incoming = incomingId === null ? null : this.incoming.get(incomingId);
    const policy = this.settings.policy();
    const bundle = this.settings.current().bundle;
    const decision = decide({ stock: ledger, at: ledger.at, hold, line, policy, incoming, bundle }, command);
    if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
    const appended = this.ledger.append(sku, ledger, decision.moves, now, this.settings.current().low_stock_threshold, actor);
    if (appended.moves.length > 0) {
      this.projector.noteAppended(now);
      this.events.noteAppended(now);
    }
    if (decision.hold) this.holds.put(decision.hold);
    if (decision.line) this.holds.putLine(decision.line);
    const storedIncoming = decision.incoming ? this.incoming.put(decision.incoming, now) : incoming;
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

  // ---- alarm: projection retries and hold deadlines ----------------------------------------------

  override async alarm(): Promise<void> {
    this.schedule.fired();
    if (!this.schema.exists) return;
    this.releaseExpiredHolds();
    // A send is always safe to run early, so every ring tries both outboxes.
    await Promise.all([this.projector.flush(), this.events.flush()]);
    this.projector.settle();
    this.events.settle();
    await this.schedule.arm();
  }

  /** Releases, as expired, every unpinned hold whose own deadline has passed, and schedules the next. */
  private releaseExpiredHolds(): void {
    const sku = this.ledger.sku();
    this.transactSync(() => {
      const now = clock.now();
      for (const entry of this.schedule.dueBy(now)) {
        if (entry.kind === LEGACY_HOLD_DEADLINE) this.schedule.remove(entry.kind, entry.key);
      }
      if (sku) {
        for (const hold of this.holds.dueBy(now)) {
          this.apply(sku, { type: "expire", reservation_id: hold.reservation_id, now_ms: now }, SYSTEM_ACTOR, now);
        }
      }
      this.holds.rescheduleDeadlines();
    });
  }

  /**
   * One synchronous transaction. The stores keep what they read in memory; if the transaction fails, its
   * writes are rolled back and so is their memory.
   */
  private transactSync<T>(body: () => T): T {
    return transactSync(
      this.ctx.storage,
      [this.ledger, this.holds, this.schedule, this.projector, this.events, this.settings],
      body,
    );
  }

  /** Starts sending new moves to D1 and their events to the queue; the alarm retries what fails. */
  private sendOutboxes(): void {
    this.ctx.waitUntil(this.projector.flush("command"));
    this.ctx.waitUntil(this.events.flush("command"));
  }

  // ---- projection to D1 --------------------------------------------------------------------------

  /** Waits for the moves appended so far to reach D1 (or for the attempt to fail and be rescheduled). */
  flush(): Promise<void> {
    return this.schema.exists ? this.projector.flush() : Promise.resolve();
  }

  /** Moves not yet in D1 (operators and tests). */
  async pendingProjection(): Promise<number> {
    return this.schema.exists ? this.projector.pending() : 0;
  }

  /** Waits for the events of the moves so far to reach the queue (or for the attempt to fail and be rescheduled). */
  flushEvents(): Promise<void> {
    return this.schema.exists ? this.events.flush() : Promise.resolve();
  }

  /** Moves whose events are not yet on the queue (operators and tests). */
  async pendingEvents(): Promise<number> {
    return this.schema.exists ? this.events.pending() : 0;
  }

  /** Rebuild: sends the whole ledger to D1 again, from seq 1. */
  async reproject(): Promise<Outcome<{ sku: string; moves: number }>> {
    const stock = this.ledger.current();
    if (!stock) return notFound("(none)");
    this.projector.restart(clock.now());
    await this.schedule.arm();
    this.ctx.waitUntil(this.projector.flush());
    return succeed({ sku: stock.sku, moves: stock.version });
  }
}

function notFound(sku: string): { ok: false; error: ApiError } {
  return fail("not_found", `no moves recorded for SKU ${sku}`);
}

const settingsView = (sku: string, s: Settings): SkuSettings => ({
  sku,
  low_stock_threshold: s.low_stock_threshold,
  backorder_limit: s.backorder_limit,
  preorder: s.preorder,
  updated_at: s.updated_at_ms === null ? null : isoInstant(s.updated_at_ms),
});

const firstMoveWithStock = ({ moves, stock }: Appended): MoveWithStock => ({ move: moves[0]!, stock });

const lineOf = (sku: string, l: CommittedLine): OrderLine => ({
  sku,
  committed: l.committed,
  fulfilled: l.fulfilled,
  cancelled: l.cancelled,
  returned: l.returned,
  allocations: l.allocations,
});
