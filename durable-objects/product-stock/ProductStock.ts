/**
 * One Durable Object per SKU (`idFromName(sku)`): the ledger is the truth for that SKU. Every command
 * reads the snapshot, decides and appends its moves in one synchronous SQLite transaction; D1 hears about
 * the moves afterwards from the Projector (the ledger past a watermark is the outbox), flushed at once and
 * retried from the alarm.
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
  type MoveWithStock,
  type Outcome,
  type Stock,
} from "../domain/contract";
import { decide, type Command, type MoveDraft, type OrderLine, type OrderTotals, type ReleaseReason } from "../domain/ledger";
import { refusalToError } from "../domain/refusals";
import { IdempotencyStore } from "../shared/idempotency";
import { Schedule } from "../shared/schedule";
import { HOLD_DEADLINE, HoldsStore, type HoldRow } from "./holds-store";
import { LedgerStore, type Appended, type LedgerState } from "./ledger-store";
import { Projector } from "./projector";
import { productStockSchema } from "./schema";

export interface ReceiveInput {
  quantity: number;
  reason?: string | undefined;
  ref?: string | undefined;
}

export interface AdjustInput {
  delta: number;
  reason: string;
  ref?: string | undefined;
  expected_version?: number | undefined;
}

export interface HoldResult {
  sku: string;
  held: number;
}

export class ProductStock extends DurableObject<ObjectBindings> {
  private readonly schema: ReturnType<typeof productStockSchema>;
  private readonly schedule: Schedule;
  private readonly idempotency: IdempotencyStore;
  private readonly ledger: LedgerStore;
  private readonly holds: HoldsStore;
  private readonly projector: Projector;
  /** Set by `append` inside a transaction; tells the caller to flush to D1 afterwards. */
  private appended = false;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = productStockSchema(ctx.storage);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    this.ledger = new LedgerStore(ctx.storage.sql, this.schema);
    this.holds = new HoldsStore(ctx.storage.sql, this.schedule);
    this.projector = new Projector(ctx.storage, this.schedule, env, {
      sku: () => this.ledger.sku(),
      version: () => this.ledger.version(),
      movesAfter: (seq, limit) => {
        const sku = this.ledger.sku();
        return sku ? this.ledger.movesAfter(sku, seq, limit) : [];
      },
    });
  }

  // ---- operator commands -------------------------------------------------------------------------

  async receive(sku: string, input: ReceiveInput, idem: IdempotencyToken | null): Promise<Outcome<MoveWithStock>> {
    return this.decideAndAppend(sku, "receive", idem, {
      type: "receive",
      quantity: input.quantity,
      reason: input.reason ?? null,
      ref: input.ref ?? null,
    });
  }

  async adjust(sku: string, input: AdjustInput, idem: IdempotencyToken | null): Promise<Outcome<MoveWithStock>> {
    return this.decideAndAppend(sku, "adjust", idem, {
      type: "adjust",
      delta: input.delta,
      reason: input.reason,
      ref: input.ref ?? null,
      expected_version: input.expected_version ?? null,
    });
  }

  private decideAndAppend(
    sku: string,
    scope: string,
    idem: IdempotencyToken | null,
    command: Command,
  ): Promise<Outcome<MoveWithStock>> {
    return this.transact((now) => {
      if (idem) {
        const prior = this.idempotency.recall<MoveWithStock>(scope, idem, now);
        if (prior) return prior;
      }
      const state = this.ledger.state();
      const decision = decide(state, command);
      const outcome: Outcome<MoveWithStock> = decision.ok
        ? succeed(firstMoveWithStock(this.append(sku, state, decision.moves, now)))
        : { ok: false, error: refusalToError(sku, decision.refusal) };
      if (idem) this.idempotency.remember(scope, idem, outcome, now);
      return outcome;
    });
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
  ): Promise<Outcome<HoldResult>> {
    return this.transact((now) => {
      const current = this.holds.holdOf(reservationId);
      if (current?.pinned_order_id && current.quantity !== quantity) {
        return fail("reservation_not_active", `${reservationId} is being committed`, { status: "committed" });
      }
      const state = this.ledger.state();
      const decision = decide(state, {
        type: "hold",
        reservation_id: reservationId,
        quantity,
        held: current?.quantity ?? 0,
        release_reason: reason,
      });
      if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
      this.append(sku, state, decision.moves, now);
      this.holds.setHold(reservationId, quantity, deadlineMs, current?.pinned_order_id ?? null);
      return succeed({ sku, held: quantity });
    });
  }

  /**
   * First phase of a commit: pins the hold so its own deadline can no longer release it. Succeeds when the
   * hold is exactly `quantity`, is already pinned for this order, or the order already took it.
   */
  async prepareCommit(sku: string, reservationId: string, orderId: string, quantity: number): Promise<Outcome<HoldResult>> {
    return this.transact(() => {
      const taken = this.holds.orderLine(orderId);
      if (taken && taken.reservation_id === reservationId) return succeed({ sku, held: taken.committed });
      const current = this.holds.holdOf(reservationId);
      if (!current || current.quantity !== quantity || (current.pinned_order_id ?? orderId) !== orderId) {
        return fail("reservation_not_active", `the hold of ${reservationId} on ${sku} is gone`, { status: "expired" });
      }
      this.holds.pin(reservationId, orderId);
      return succeed({ sku, held: quantity });
    });
  }

  /** Undoes `prepareCommit`: the hold's deadline applies again. */
  async abortCommit(sku: string, reservationId: string, orderId: string, deadlineMs: number): Promise<Outcome<HoldResult>> {
    return this.transact(() => {
      const current = this.holds.holdOf(reservationId);
      if (current && current.pinned_order_id === orderId) this.holds.setHold(reservationId, current.quantity, deadlineMs, null);
      return succeed({ sku, held: current?.quantity ?? 0 });
    });
  }

  /** Second phase: the pinned hold becomes the order's committed quantity. Idempotent by order id. */
  async commit(sku: string, reservationId: string, orderId: string): Promise<Outcome<OrderLine>> {
    return this.transact((now) => {
      const taken = this.holds.orderLine(orderId);
      if (taken && taken.reservation_id === reservationId) return succeed(totalsOf(taken));
      const current = this.holds.holdOf(reservationId);
      if (!current || current.pinned_order_id !== orderId) {
        return fail("reservation_not_active", `no prepared hold of ${reservationId} on ${sku}`);
      }
      const state = this.ledger.state();
      const decision = decide(state, {
        type: "commit",
        reservation_id: reservationId,
        order_id: orderId,
        held: current.quantity,
      });
      if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
      this.append(sku, state, decision.moves, now);
      this.holds.setHold(reservationId, 0, 0, null);
      this.holds.openOrderLine(orderId, reservationId, current.quantity);
      return succeed({ committed: current.quantity, fulfilled: 0, cancelled: 0, returned: 0 });
    });
  }

  /** Brings an order's totals for this SKU up to `target`; totals only grow, so a repeat moves nothing. */
  async settle(sku: string, orderId: string, target: OrderTotals): Promise<Outcome<OrderLine>> {
    return this.transact((now) => {
      const line = this.holds.orderLine(orderId);
      if (!line) return fail("not_found", `order ${orderId} has no line for ${sku}`);
      const state = this.ledger.state();
      const decision = decide(state, {
        type: "settle",
        reservation_id: line.reservation_id,
        order_id: orderId,
        line: totalsOf(line),
        target,
      });
      if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
      this.append(sku, state, decision.moves, now);
      const next: OrderLine = {
        committed: line.committed,
        fulfilled: Math.max(line.fulfilled, target.fulfilled),
        cancelled: Math.max(line.cancelled, target.cancelled),
        returned: Math.max(line.returned, target.returned),
      };
      this.holds.settleOrderLine(orderId, next);
      return succeed(next);
    });
  }

  /** Does nothing: the benchmark's ceiling for one call to a Durable Object. */
  async ping(): Promise<number> {
    return 1;
  }

  /** What a reservation holds here now (operators and tests). */
  async getHold(reservationId: string): Promise<HoldRow | null> {
    return this.schema.exists ? this.holds.holdOf(reservationId) : null;
  }

  // ---- reads -------------------------------------------------------------------------------------

  async getStock(sku: string, atMs: number | null): Promise<Outcome<Stock>> {
    if (!this.ledger.holds(sku)) return notFound(sku);
    return succeed(atMs === null ? this.ledger.current()! : this.ledger.stockAt(sku, atMs));
  }

  async listMoves(sku: string, afterSeq: number, limit: number): Promise<Outcome<MovesPage>> {
    if (!this.ledger.holds(sku)) return notFound(sku);
    return succeed(this.ledger.page(sku, afterSeq, limit));
  }

  // ---- the transaction and its effects -----------------------------------------------------------

  /**
   * Runs `body` in one synchronous transaction (no await inside, so nothing interleaves between the read
   * and the write); afterwards arms the alarm and starts the flush to D1 when moves were appended.
   */
  private async transact<T>(body: (nowMs: number) => Outcome<T>): Promise<Outcome<T>> {
    this.schema.ensure();
    this.appended = false;
    const outcome = this.ctx.storage.transactionSync(() => body(Date.now()));
    await this.schedule.arm();
    if (this.appended) this.ctx.waitUntil(this.projector.flush());
    return outcome;
  }

  /** Appends decided moves to the ledger and queues them for D1 (the alarm is the flush's safety net). */
  private append(sku: string, state: LedgerState, drafts: readonly MoveDraft[], now: number): Appended {
    const appended = this.ledger.append(sku, state, drafts, now);
    if (appended.moves.length > 0) {
      this.projector.noteAppended(now);
      this.appended = true;
    }
    return appended;
  }

  // ---- alarm: projection retries and hold deadlines ----------------------------------------------

  override async alarm(): Promise<void> {
    this.schedule.fired();
    if (!this.schema.exists) return;
    this.releaseExpiredHolds();
    // A projection retry is always safe to run early, so every ring tries the outbox.
    await this.projector.flush();
    await this.schedule.arm();
  }

  /** Releases, as expired, every unpinned hold whose own deadline has passed. */
  private releaseExpiredHolds(): void {
    this.appended = false;
    this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      const sku = this.ledger.sku();
      for (const entry of this.schedule.dueBy(now)) {
        if (entry.kind !== HOLD_DEADLINE) continue;
        const hold = this.holds.holdOf(entry.key);
        if (!sku || !hold || hold.pinned_order_id || hold.expires_at_ms > now) {
          this.schedule.remove(HOLD_DEADLINE, entry.key);
          continue;
        }
        const state = this.ledger.state();
        const decision = decide(state, {
          type: "hold",
          reservation_id: hold.reservation_id,
          quantity: 0,
          held: hold.quantity,
          release_reason: "expired",
        });
        if (decision.ok) this.append(sku, state, decision.moves, now);
        this.holds.setHold(hold.reservation_id, 0, 0, null);
      }
    });
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

  /** Rebuild: sends the whole ledger to D1 again, from seq 1. */
  async reproject(): Promise<Outcome<{ sku: string; moves: number }>> {
    const stock = this.ledger.current();
    if (!stock) return notFound("(none)");
    this.projector.restart(Date.now());
    await this.schedule.arm();
    this.ctx.waitUntil(this.projector.flush());
    return succeed({ sku: stock.sku, moves: stock.version });
  }
}

function notFound(sku: string): { ok: false; error: ApiError } {
  return fail("not_found", `no moves recorded for SKU ${sku}`);
}

const firstMoveWithStock = ({ moves, stock }: Appended): MoveWithStock => ({ move: moves[0]!, stock });

const totalsOf = (l: OrderLine): OrderLine => ({
  committed: l.committed,
  fulfilled: l.fulfilled,
  cancelled: l.cancelled,
  returned: l.returned,
});
