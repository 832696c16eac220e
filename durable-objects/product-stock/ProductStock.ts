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
import {
  fail,
  isoInstant,
  succeed,
  type ApiError,
  type IdempotencyToken,
  type Move,
  type MovesPage,
  type MoveWithStock,
  type Outcome,
  type Stock,
} from "../domain/contract";
import type { ObjectBindings } from "../bindings";
import { IdempotencyStore } from "../shared/idempotency";
import { Schedule } from "../shared/schedule";
import {
  available,
  decide,
  EMPTY_SNAPSHOT,
  evolve,
  type Balances,
  type Command,
  type MoveDraft,
  type MoveType,
  type OrderLine,
  type OrderTotals,
  type Refusal,
  type ReleaseReason,
  type Snapshot,
} from "../domain/ledger";
import { Projector } from "./projector";
import { productStockSchema } from "./schema";

/** Schedule kind of a hold's own deadline: the fallback release if its coordinator never comes back. */
const HOLD_DEADLINE = "hold";

interface MoveRow extends Balances {
  seq: number;
  type: MoveType;
  quantity: number;
  reservation_id: string | null;
  order_id: string | null;
  reason: string | null;
  ref: string | null;
  at_ms: number;
  [column: string]: SqlStorageValue;
}

interface StockState extends Snapshot {
  sku: string | null;
  updated_at_ms: number | null;
}

interface StockRow extends Snapshot {
  sku: string;
  updated_at_ms: number | null;
  [column: string]: SqlStorageValue;
}

export interface HoldRow {
  reservation_id: string;
  quantity: number;
  expires_at_ms: number;
  pinned_order_id: string | null;
  [column: string]: SqlStorageValue;
}

interface OrderLineRow extends OrderLine {
  order_id: string;
  reservation_id: string;
  [column: string]: SqlStorageValue;
}

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


function refusalToError(sku: string, refusal: Refusal): ApiError {
  switch (refusal.code) {
    case "insufficient_stock":
      return {
        code: "insufficient_stock",
        message: `not enough stock of ${sku}`,
        details: {
          shortfalls: [{ sku, requested: refusal.requested, available: refusal.available }],
        },
      };
    case "version_conflict":
      return {
        code: "version_conflict",
        message: `${sku} is at version ${refusal.current_version}`,
        details: { current_version: refusal.current_version },
      };
    case "quantity_exceeds_order":
      return {
        code: "quantity_exceeds_order",
        message: `${sku} can give at most ${refusal.limit}`,
        details: { sku, requested: refusal.requested, limit: refusal.limit },
      };
  }
}

export class ProductStock extends DurableObject<ObjectBindings> {
  private readonly sql: SqlStorage;
  private readonly schema: ReturnType<typeof productStockSchema>;
  private readonly schedule: Schedule;
  private readonly idempotency: IdempotencyStore;
  private readonly projector: Projector;
  private knownSku: string | null = null;
  /** Set by `append` inside a transaction; tells the caller to arm the alarm and flush afterwards. */
  private appended = false;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.schema = productStockSchema(ctx.storage);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(this.sql);
    this.projector = new Projector(ctx.storage, this.schedule, env, {
      sku: () => this.sku(),
      version: () => this.stockRow()?.version ?? 0,
      movesAfter: (seq, limit) => {
        const sku = this.sku();
        if (!sku) return [];
        return this.sql
          .exec<MoveRow>("SELECT * FROM stock_moves WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
          .toArray()
          .map((r) => toMove(sku, r));
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
      const state = this.snapshot();
      const decision = decide(state, command);
      const outcome: Outcome<MoveWithStock> = decision.ok
        ? succeed(this.firstMoveWithStock(this.append(sku, state, decision.moves, now)))
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
      const current = this.holdRow(reservationId);
      if (current?.pinned_order_id && current.quantity !== quantity) {
        return fail("reservation_not_active", `${reservationId} is being committed`, { status: "committed" });
      }
      const state = this.snapshot();
      const decision = decide(state, {
        type: "hold",
        reservation_id: reservationId,
        quantity,
        held: current?.quantity ?? 0,
        release_reason: reason,
      });
      if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
      this.append(sku, state, decision.moves, now);
      this.setHold(reservationId, quantity, deadlineMs, current?.pinned_order_id ?? null);
      return succeed({ sku, held: quantity });
    });
  }

  /**
   * First phase of a commit: pins the hold so its own deadline can no longer release it. Succeeds when the
   * hold is exactly `quantity`, is already pinned for this order, or the order already took it.
   */
  async prepareCommit(sku: string, reservationId: string, orderId: string, quantity: number): Promise<Outcome<HoldResult>> {
    return this.transact(() => {
      const taken = this.orderLine(orderId);
      if (taken && taken.reservation_id === reservationId) return succeed({ sku, held: taken.committed });
      const current = this.holdRow(reservationId);
      if (!current || current.quantity !== quantity || (current.pinned_order_id ?? orderId) !== orderId) {
        return fail("reservation_not_active", `the hold of ${reservationId} on ${sku} is gone`, { status: "expired" });
      }
      this.sql.exec("UPDATE holds SET pinned_order_id = ? WHERE reservation_id = ?", orderId, reservationId);
      this.schedule.remove(HOLD_DEADLINE, reservationId);
      return succeed({ sku, held: quantity });
    });
  }

  /** Undoes `prepareCommit`: the hold's deadline applies again. */
  async abortCommit(sku: string, reservationId: string, orderId: string, deadlineMs: number): Promise<Outcome<HoldResult>> {
    return this.transact(() => {
      const current = this.holdRow(reservationId);
      if (current && current.pinned_order_id === orderId) this.setHold(reservationId, current.quantity, deadlineMs, null);
      return succeed({ sku, held: current?.quantity ?? 0 });
    });
  }

  /** Second phase: the pinned hold becomes the order's committed quantity. Idempotent by order id. */
  async commit(sku: string, reservationId: string, orderId: string): Promise<Outcome<OrderLine>> {
    return this.transact((now) => {
      const taken = this.orderLine(orderId);
      if (taken && taken.reservation_id === reservationId) return succeed(totalsOf(taken));
      const current = this.holdRow(reservationId);
      if (!current || current.pinned_order_id !== orderId) {
        return fail("reservation_not_active", `no prepared hold of ${reservationId} on ${sku}`);
      }
      const state = this.snapshot();
      const decision = decide(state, {
        type: "commit",
        reservation_id: reservationId,
        order_id: orderId,
        held: current.quantity,
      });
      if (!decision.ok) return { ok: false, error: refusalToError(sku, decision.refusal) };
      this.append(sku, state, decision.moves, now);
      this.setHold(reservationId, 0, 0, null);
      this.sql.exec(
        "INSERT INTO order_lines (order_id, reservation_id, committed) VALUES (?, ?, ?)",
        orderId,
        reservationId,
        current.quantity,
      );
      return succeed({ committed: current.quantity, fulfilled: 0, cancelled: 0, returned: 0 });
    });
  }

  /** Brings an order's totals for this SKU up to `target`; totals only grow, so a repeat moves nothing. */
  async settle(sku: string, orderId: string, target: OrderTotals): Promise<Outcome<OrderLine>> {
    return this.transact((now) => {
      const line = this.orderLine(orderId);
      if (!line) return fail("not_found", `order ${orderId} has no line for ${sku}`);
      const state = this.snapshot();
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
      this.sql.exec(
        "UPDATE order_lines SET fulfilled = ?, cancelled = ?, returned = ? WHERE order_id = ?",
        next.fulfilled,
        next.cancelled,
        next.returned,
        orderId,
      );
      return succeed(next);
    });
  }

  /** Does nothing: the benchmark's ceiling for one call to a Durable Object. */
  async ping(): Promise<number> {
    return 1;
  }

  /** What a reservation holds here now (operators and tests). */
  async getHold(reservationId: string): Promise<HoldRow | null> {
    return this.schema.exists ? this.holdRow(reservationId) : null;
  }

  // ---- reads -------------------------------------------------------------------------------------

  async getStock(sku: string, atMs: number | null): Promise<Outcome<Stock>> {
    const row = this.stockRow();
    if (!row || row.sku !== sku) return notFound(sku);
    if (atMs === null) return succeed(toStock(row));
    const move = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT 1", atMs)
      .toArray()[0];
    if (!move) return succeed({ sku, ...EMPTY_SNAPSHOT, available: 0, updated_at: null });
    return succeed({ sku, ...balancesOf(move), available: available(move), version: move.seq, updated_at: isoInstant(move.at_ms) });
  }

  async listMoves(sku: string, afterSeq: number, limit: number): Promise<Outcome<MovesPage>> {
    const row = this.stockRow();
    if (!row || row.sku !== sku) return notFound(sku);
    const rows = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit + 1)
      .toArray();
    const page = rows.slice(0, limit);
    return succeed({
      moves: page.map((r) => toMove(sku, r)),
      next_after_seq: rows.length > limit ? page[page.length - 1]!.seq : null,
    });
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

  /**
   * Appends decided moves with gapless seqs, updates the snapshot and queues the moves for D1. `state` is
   * the snapshot the decision was made on, read in the same transaction.
   */
  private append(sku: string, state: StockState, drafts: readonly MoveDraft[], now: number): { moves: Move[]; stock: Stock } {
    if (state.sku !== null && state.sku !== sku) throw new Error(`ledger of ${state.sku} was asked to record ${sku}`);
    // Times never go backwards within a ledger, so `?at=` can search by time.
    const atMs = Math.max(now, state.updated_at_ms ?? 0);
    let balances = balancesOf(state);
    let seq = state.version;
    const moves: Move[] = [];
    for (const draft of drafts) {
      balances = evolve(balances, draft);
      seq += 1;
      this.sql.exec(
        `INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed,
           reservation_id, order_id, reason, ref, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        seq,
        draft.type,
        draft.quantity,
        balances.on_hand,
        balances.reserved,
        balances.committed,
        draft.reservation_id,
        draft.order_id,
        draft.reason,
        draft.ref,
        atMs,
      );
      moves.push(moveObject(sku, seq, draft, balances, atMs));
    }
    if (moves.length > 0) {
      this.sql.exec(
        `INSERT INTO stock (id, sku, on_hand, reserved, committed, version, updated_at_ms)
         VALUES (1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
           committed = excluded.committed, version = excluded.version, updated_at_ms = excluded.updated_at_ms`,
        sku,
        balances.on_hand,
        balances.reserved,
        balances.committed,
        seq,
        atMs,
      );
      this.projector.noteAppended(now);
      this.appended = true;
    }
    return {
      moves,
      stock: { sku, ...balances, available: available(balances), version: seq, updated_at: isoInstant(atMs) },
    };
  }

  private firstMoveWithStock({ moves, stock }: { moves: Move[]; stock: Stock }): MoveWithStock {
    return { move: moves[0]!, stock };
  }

  private setHold(reservationId: string, quantity: number, deadlineMs: number, pinnedOrderId: string | null): void {
    if (quantity === 0) {
      this.sql.exec("DELETE FROM holds WHERE reservation_id = ?", reservationId);
      this.schedule.remove(HOLD_DEADLINE, reservationId);
      return;
    }
    this.sql.exec(
      `INSERT INTO holds (reservation_id, quantity, expires_at_ms, pinned_order_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity,
         expires_at_ms = excluded.expires_at_ms, pinned_order_id = excluded.pinned_order_id`,
      reservationId,
      quantity,
      deadlineMs,
      pinnedOrderId,
    );
    if (pinnedOrderId) this.schedule.remove(HOLD_DEADLINE, reservationId);
    else this.schedule.set(HOLD_DEADLINE, reservationId, deadlineMs);
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
      const sku = this.sku();
      for (const entry of this.schedule.dueBy(now)) {
        if (entry.kind !== HOLD_DEADLINE) continue;
        const hold = this.holdRow(entry.key);
        if (!sku || !hold || hold.pinned_order_id || hold.expires_at_ms > now) {
          this.schedule.remove(HOLD_DEADLINE, entry.key);
          continue;
        }
        const state = this.snapshot();
        const decision = decide(state, {
          type: "hold",
          reservation_id: hold.reservation_id,
          quantity: 0,
          held: hold.quantity,
          release_reason: "expired",
        });
        if (decision.ok) this.append(sku, state, decision.moves, now);
        this.setHold(hold.reservation_id, 0, 0, null);
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
    const row = this.stockRow();
    if (!row) return notFound("(none)");
    this.projector.restart(Date.now());
    await this.schedule.arm();
    this.ctx.waitUntil(this.projector.flush());
    return succeed({ sku: row.sku, moves: row.version });
  }

  // ---- storage helpers ---------------------------------------------------------------------------

  private stockRow(): StockRow | null {
    if (!this.schema.exists) return null;
    return this.sql.exec<StockRow>("SELECT * FROM stock WHERE id = 1").toArray()[0] ?? null;
  }

  /** The snapshot a decision is made on, with what `append` needs to check and extend it. */
  private snapshot(): StockState {
    const row = this.stockRow();
    if (!row) return { ...EMPTY_SNAPSHOT, sku: null, updated_at_ms: null };
    this.knownSku = row.sku;
    return { ...balancesOf(row), version: row.version, sku: row.sku, updated_at_ms: row.updated_at_ms };
  }

  /** The SKU never changes once the first move is recorded, so it is read from storage once. */
  private sku(): string | null {
    this.knownSku ??= this.stockRow()?.sku ?? null;
    return this.knownSku;
  }

  private holdRow(reservationId: string): HoldRow | null {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE reservation_id = ?", reservationId).toArray()[0] ?? null;
  }

  private orderLine(orderId: string): OrderLineRow | null {
    return this.sql.exec<OrderLineRow>("SELECT * FROM order_lines WHERE order_id = ?", orderId).toArray()[0] ?? null;
  }
}

function notFound(sku: string): { ok: false; error: ApiError } {
  return fail("not_found", `no moves recorded for SKU ${sku}`);
}

const balancesOf = (b: Balances): Balances => ({ on_hand: b.on_hand, reserved: b.reserved, committed: b.committed });

const totalsOf = (l: OrderLine): OrderLine => ({
  committed: l.committed,
  fulfilled: l.fulfilled,
  cancelled: l.cancelled,
  returned: l.returned,
});

function toStock(row: StockRow): Stock {
  return {
    sku: row.sku,
    ...balancesOf(row),
    available: available(row),
    version: row.version,
    updated_at: row.updated_at_ms === null ? null : isoInstant(row.updated_at_ms),
  };
}

function toMove(sku: string, r: MoveRow): Move {
  return moveObject(sku, r.seq, r, r, r.at_ms);
}

/** A move in API.md's field order. */
function moveObject(sku: string, seq: number, draft: MoveDraft, after: Balances, atMs: number): Move {
  return {
    sku,
    seq,
    type: draft.type,
    quantity: draft.quantity,
    on_hand: after.on_hand,
    reserved: after.reserved,
    committed: after.committed,
    available: available(after),
    reservation_id: draft.reservation_id,
    order_id: draft.order_id,
    reason: draft.reason,
    ref: draft.ref,
    at: isoInstant(atMs),
  };
}
