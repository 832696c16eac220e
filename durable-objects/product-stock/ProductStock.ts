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
  type IdempotencyToken,
  type MovesPage,
  type MoveWithStock,
  type SkuSettings,
  type OrderLine,
  type Outcome,
  type Stock,
} from "../domain/contract";
import type { Command, Hold, HoldPlace, OrderTotals } from "../domain/ledger";
import type { ReleaseReason } from "../domain/balances";
import { DEFAULT_LOCATION } from "../domain/locations";
import type { Actor } from "../domain/actors";
import { IdempotencyStore } from "../shared/idempotency";
import { Schedule } from "../shared/schedule";
import { HoldsStore } from "./holds-store";
import { emptyStock, LedgerStore } from "./ledger-store";
import { EventOutbox } from "./event-outbox";
import { Projector } from "./projector";
import { LagReport } from "./lag-report";
import { productStockSchema } from "./schema";
import { atOf, type AdjustInput, type CountInput, type CountResult, type HoldResult, type IncomingInput, type ReceiveInput, type TransferInput } from "./command-inputs";
import { CommandRunner, NO_MOVES, type SkuStores } from "./command-runner";
import { firstMoveWithStock, lineOf, notFound, settingsView } from "./views";
import { SettingsStore, type SettingsPatch } from "./settings-store";
import { IncomingStore, incomingView, type Incoming } from "./incoming-store";
import type { IncomingStatus } from "../domain/incoming";
import { clock } from "../shared/clock";

export class ProductStock extends DurableObject<ObjectBindings> {
  private readonly schema: ReturnType<typeof productStockSchema>;
  /** The object's tables, each mirrored in memory; its command runner shares them. */
  private readonly stores: SkuStores;
  private readonly commands: CommandRunner;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    const schema = (this.schema = productStockSchema(ctx.storage));
    const schedule = new Schedule(ctx.storage);
    const settings = new SettingsStore(ctx.storage.sql, () => schema.exists);
    const ledger = new LedgerStore(ctx.storage.sql, schema, () => settings.policy());
    this.stores = {
      schedule,
      idempotency: new IdempotencyStore(ctx.storage.sql),
      ledger,
      holds: new HoldsStore(ctx.storage.sql, schedule),
      projector: new Projector(ctx.storage, schedule, env, ledger, settings, new LagReport(env, "projection")),
      events: new EventOutbox(ctx.storage, schedule, env.STOCK_EVENTS, ledger, new LagReport(env, "events")),
      settings,
      incoming: new IncomingStore(ctx.storage.sql, () => schema.exists),
    };
    this.commands = new CommandRunner(ctx, schema, this.stores);
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
    return this.commands.run(sku, command, actor, firstMoveWithStock, idem && { scope: "receive", token: idem });
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
    return this.commands.run(sku, command, actor, firstMoveWithStock, idem && { scope: "adjust", token: idem });
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
    const put = await this.commands.run(sku, command, actor, ({ incoming, incomingExisted }) => ({ incoming: incoming!, created: !incomingExisted }));
    return put.ok ? { ok: true, value: put.value.incoming, created: put.value.created } : put;
  }

  /** Cancels what an incoming has not yet received: one `expected_cancelled` move. */
  async cancelIncoming(sku: string, id: string, actor: Actor): Promise<Outcome<Incoming>> {
    return this.commands.run(sku, { type: "cancel_incoming", incoming_id: id }, actor, ({ incoming }) => incoming!);
  }

  async getIncoming(sku: string, id: string): Promise<Outcome<Incoming>> {
    const found = this.stores.incoming.get(id);
    return found ? succeed(incomingView(sku, found)) : fail("not_found", `${sku} has no incoming ${id}`);
  }

  async listIncoming(sku: string, status: IncomingStatus | null): Promise<Outcome<{ items: Incoming[] }>> {
    return succeed({ items: this.stores.incoming.list(status).map((i) => incomingView(sku, i)) });
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
    return this.commands.run(sku, command, actor, firstMoveWithStock, idem && { scope: "transfer", token: idem });
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
    const outcome = await this.commands.run(
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
    return this.commands.run(sku, command, actor, ({ hold }) => ({ sku, held: quantity, allocations: hold?.allocations ?? [] }));
  }

  /** (v1.2) What a reservation holds here and where (null when it holds nothing). */
  async heldBy(reservationId: string): Promise<HoldResult | null> {
    const hold = this.schema.exists ? this.stores.holds.holdOf(reservationId) : null;
    return hold ? { sku: this.stores.ledger.sku() ?? "", held: hold.quantity, allocations: hold.allocations } : null;
  }

  /**
   * First phase of a commit: pins the hold so its own deadline can no longer release it. Succeeds when the
   * hold is exactly `quantity`, is already pinned for this order, or the order already took it.
   */
  async prepareCommit(sku: string, reservationId: string, orderId: string, quantity: number): Promise<Outcome<HoldResult>> {
    const command: Command = { type: "prepare_commit", reservation_id: reservationId, order_id: orderId, quantity };
    return this.commands.run(sku, command, NO_MOVES, ({ line, hold }) =>
      line?.reservation_id === reservationId
        ? { sku, held: line.committed, allocations: line.allocations.map((a) => ({ location: a.location, quantity: a.committed })) }
        : { sku, held: quantity, allocations: hold?.allocations ?? [] },
    );
  }

  /** Undoes `prepareCommit`: the hold's deadline applies again. */
  async abortCommit(sku: string, reservationId: string, orderId: string, deadlineMs: number): Promise<Outcome<HoldResult>> {
    const command: Command = { type: "abort_commit", reservation_id: reservationId, order_id: orderId, expires_at_ms: deadlineMs };
    return this.commands.run(sku, command, NO_MOVES, ({ hold }) => ({ sku, held: hold?.quantity ?? 0, allocations: hold?.allocations ?? [] }));
  }

  /** Second phase: the pinned hold becomes the order's committed quantity. Idempotent by order id. */
  async commit(sku: string, reservationId: string, orderId: string, actor: Actor): Promise<Outcome<OrderLine>> {
    const command: Command = { type: "commit", reservation_id: reservationId, order_id: orderId };
    return this.commands.run(sku, command, actor, ({ line }) => lineOf(sku, line!));
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
    return this.commands.run(sku, command, actor, ({ line }) => lineOf(sku, line!));
  }

  // ---- settings (contract v1.1) -------------------------------------------------------------------

  /** A SKU never configured answers nulls, and keeps no storage. */
  async getSettings(sku: string): Promise<Outcome<SkuSettings>> {
    return succeed(settingsView(sku, this.stores.settings.current()));
  }

  /** Settable before the SKU's first move; D1 hears of it through the projector, like a move. */
  async putSettings(sku: string, patch: SettingsPatch): Promise<Outcome<SkuSettings>> {
    this.schema.ensure();
    const now = clock.now();
    const stored = this.commands.transactSync(() => {
      const stored = this.stores.settings.put(patch, now);
      this.stores.projector.noteSettingsChanged(now);
      return stored;
    });
    await this.stores.schedule.arm();
    this.ctx.waitUntil(this.stores.projector.flush("command"));
    return succeed(settingsView(sku, stored));
  }

  // ---- bundles (contract v1.2) --------------------------------------------------------------------

  /**
   * Makes this SKU a bundle (no stock of its own) or a plain SKU again. Decided in one transaction with the
   * ledger, so a SKU that has moves never becomes a bundle, and a bundle never takes a move.
   */
  async markBundle(sku: string, bundle: boolean): Promise<Outcome<{ sku: string; bundle: boolean }>> {
    return this.commands.markBundle(sku, bundle);
  }

  /** Does nothing: the benchmark's ceiling for one call to a Durable Object. */
  async ping(): Promise<number> {
    return 1;
  }

  /** What a reservation holds here now (operators and tests). */
  async getHold(reservationId: string): Promise<Hold | null> {
    return this.schema.exists ? this.stores.holds.holdOf(reservationId) : null;
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** The stock now; all zeros before the first move. */
  private stockNow(sku: string): Stock {
    return this.stores.ledger.current() ?? emptyStock(sku);
  }

  async getStock(sku: string, atMs: number | null): Promise<Outcome<Stock>> {
    if (!this.stores.ledger.holds(sku)) return notFound(sku);
    return succeed(atMs === null ? this.stores.ledger.current()! : this.stores.ledger.stockAt(sku, atMs));
  }

  async listMoves(sku: string, afterSeq: number, limit: number): Promise<Outcome<MovesPage>> {
    if (!this.stores.ledger.holds(sku)) return notFound(sku);
    return succeed(this.stores.ledger.page(afterSeq, limit));
  }

  // ---- alarm: projection retries and hold deadlines ----------------------------------------------

  override async alarm(): Promise<void> {
    this.stores.schedule.fired();
    if (!this.schema.exists) return;
    this.commands.releaseExpiredHolds();
    // A send is always safe to run early, so every ring tries both outboxes.
    await Promise.all([this.stores.projector.flush(), this.stores.events.flush()]);
    this.stores.projector.settle();
    this.stores.events.settle();
    await this.stores.schedule.arm();
  }

  // ---- projection to D1 --------------------------------------------------------------------------

  /** Waits for the moves appended so far to reach D1 (or for the attempt to fail and be rescheduled). */
  flush(): Promise<void> {
    return this.schema.exists ? this.stores.projector.flush() : Promise.resolve();
  }

  /** Moves not yet in D1 (operators and tests). */
  async pendingProjection(): Promise<number> {
    return this.schema.exists ? this.stores.projector.pending() : 0;
  }

  /** Waits for the events of the moves so far to reach the queue (or for the attempt to fail and be rescheduled). */
  flushEvents(): Promise<void> {
    return this.schema.exists ? this.stores.events.flush() : Promise.resolve();
  }

  /** Moves whose events are not yet on the queue (operators and tests). */
  async pendingEvents(): Promise<number> {
    return this.schema.exists ? this.stores.events.pending() : 0;
  }

  /** Rebuild: sends the whole ledger to D1 again, from seq 1. */
  async reproject(): Promise<Outcome<{ sku: string; moves: number }>> {
    const stock = this.stores.ledger.current();
    if (!stock) return notFound("(none)");
    this.stores.projector.restart(clock.now());
    await this.stores.schedule.arm();
    this.ctx.waitUntil(this.stores.projector.flush());
    return succeed({ sku: stock.sku, moves: stock.version });
  }
}
