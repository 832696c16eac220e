/**
 * One Durable Object per SKU (`idFromName(sku)`): the ledger is the truth for that SKU. Every command
 * reads the snapshot, decides and appends its moves in one synchronous SQLite transaction; D1 hears about
 * the moves afterwards through the outbox, flushed at once and retried from the alarm.
 */
import { DurableObject } from "cloudflare:workers";
import {
  fail,
  succeed,
  type ApiError,
  type IdempotencyToken,
  type Move,
  type MovesPage,
  type MoveWithStock,
  type Outcome,
  type Stock,
} from "../../src/contract";
import type { Env } from "../../src/env";
import { PROJECTION_BATCH_MOVES, projectionStatements } from "../../src/read-model/projection";
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
  type Refusal,
  type Snapshot,
} from "./ledger";
import { migrate } from "./schema";

/** If the flush right after a command never finishes (eviction, crash), the alarm retries by then. */
const PROJECTION_SAFETY_NET_MS = 2_000;
const PROJECTION_BACKOFF_MAX_MS = 60_000;
const PROJECTION = { kind: "projection", key: "d1" } as const;

interface MoveRow {
  seq: number;
  type: MoveType;
  quantity: number;
  on_hand: number;
  reserved: number;
  committed: number;
  reservation_id: string | null;
  order_id: string | null;
  reason: string | null;
  ref: string | null;
  at_ms: number;
  [column: string]: SqlStorageValue;
}

interface StockRow extends Snapshot {
  sku: string;
  updated_at_ms: number | null;
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

const iso = (ms: number): string => new Date(ms).toISOString();

export function refusalToError(sku: string, refusal: Refusal): ApiError {
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
    case "quantity_exceeds_stock":
      return {
        code: "quantity_exceeds_order",
        message: `${sku} can give at most ${refusal.limit}`,
        details: { sku, requested: refusal.requested, limit: refusal.limit },
      };
  }
}

export class ProductStock extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly schedule: Schedule;
  private readonly idempotency: IdempotencyStore;
  private flushing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage);
    this.schedule = new Schedule(ctx.storage);
    this.idempotency = new IdempotencyStore(this.sql);
  }

  // ---- commands ----------------------------------------------------------------------------------

  async receive(sku: string, input: ReceiveInput, idem: IdempotencyToken | null): Promise<Outcome<MoveWithStock>> {
    return this.run(sku, "receive", idem, {
      type: "receive",
      quantity: input.quantity,
      reason: input.reason ?? null,
      ref: input.ref ?? null,
    });
  }

  async adjust(sku: string, input: AdjustInput, idem: IdempotencyToken | null): Promise<Outcome<MoveWithStock>> {
    return this.run(sku, "adjust", idem, {
      type: "adjust",
      delta: input.delta,
      reason: input.reason,
      ref: input.ref ?? null,
      expected_version: input.expected_version ?? null,
    });
  }

  private async run(
    sku: string,
    scope: string,
    idem: IdempotencyToken | null,
    command: Command,
  ): Promise<Outcome<MoveWithStock>> {
    const now = Date.now();
    const { outcome, appended } = this.ctx.storage.transactionSync(() => {
      if (idem) {
        const prior = this.idempotency.recall<MoveWithStock>(scope, idem, now);
        if (prior) return { outcome: prior, appended: false };
      }
      const state = this.snapshot();
      const decision = decide(state, command);
      let outcome: Outcome<MoveWithStock>;
      if (decision.ok) {
        const { moves, stock } = this.append(sku, state, decision.moves, now);
        outcome = succeed({ move: moves[0]!, stock });
      } else {
        outcome = { ok: false, error: refusalToError(sku, decision.refusal) };
      }
      if (idem) this.idempotency.remember(scope, idem, outcome, now);
      return { outcome, appended: decision.ok };
    });
    if (appended) await this.afterAppend();
    return outcome;
  }

  /** Appends decided moves with gapless seqs, updates the snapshot and queues the moves for D1. */
  private append(
    sku: string,
    state: Snapshot,
    drafts: readonly MoveDraft[],
    now: number,
  ): { moves: Move[]; stock: Stock } {
    const current = this.stockRow();
    if (current && current.sku !== sku) throw new Error(`ledger of ${current.sku} was asked to record ${sku}`);
    // Times never go backwards within a ledger, so `?at=` can search by time.
    const atMs = Math.max(now, current?.updated_at_ms ?? 0);
    let balances = { on_hand: state.on_hand, reserved: state.reserved, committed: state.committed };
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
      this.sql.exec("INSERT INTO outbox (seq) VALUES (?)", seq);
      moves.push(moveObject(sku, seq, draft, balances, atMs));
    }
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
    this.schedule.atOrBefore(PROJECTION.kind, PROJECTION.key, now + PROJECTION_SAFETY_NET_MS);
    return {
      moves,
      stock: { sku, ...balances, available: available(balances), version: seq, updated_at: iso(atMs) },
    };
  }

  private async afterAppend(): Promise<void> {
    await this.schedule.arm();
    this.ctx.waitUntil(this.flush());
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
    return succeed(stockFromMove(sku, move));
  }

  async listMoves(sku: string, afterSeq: number, limit: number): Promise<Outcome<MovesPage>> {
    const row = this.stockRow();
    if (!row || row.sku !== sku) return notFound(sku);
    const rows = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit + 1)
      .toArray();
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return succeed({
      moves: page.map((r) => toMove(sku, r)),
      next_after_seq: hasMore ? page[page.length - 1]!.seq : null,
    });
  }

  // ---- projection to D1 --------------------------------------------------------------------------

  /** Sends the outbox to D1; one flush at a time per object, later callers share the running one. */
  flush(): Promise<void> {
    this.flushing ??= this.drainOutbox().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drainOutbox(): Promise<void> {
    for (;;) {
      const stock = this.stockRow();
      const rows = stock
        ? this.sql
            .exec<MoveRow>(
              `SELECT m.* FROM outbox o JOIN stock_moves m ON m.seq = o.seq ORDER BY o.seq LIMIT ?`,
              PROJECTION_BATCH_MOVES,
            )
            .toArray()
        : [];
      if (!stock || rows.length === 0) {
        this.schedule.remove(PROJECTION.kind, PROJECTION.key);
        return;
      }
      const moves = rows.map((r) => toMove(stock.sku, r));
      try {
        await this.env.DB.batch(projectionStatements(this.env.DB, moves));
      } catch (err) {
        const attempts = this.schedule.get(PROJECTION.kind, PROJECTION.key)?.attempts ?? 0;
        const delay = Math.min(PROJECTION_BACKOFF_MAX_MS, 500 * 2 ** attempts);
        this.schedule.retry(PROJECTION.kind, PROJECTION.key, Date.now() + delay);
        console.warn(
          `projection of ${stock.sku} to D1 failed (attempt ${attempts + 1}, retry in ${delay} ms): ${String(err)}`,
        );
        await this.schedule.arm();
        return;
      }
      this.sql.exec("DELETE FROM outbox WHERE seq <= ?", moves[moves.length - 1]!.seq);
    }
  }

  /** Moves not yet in D1 (for operators and tests). */
  async pendingProjection(): Promise<number> {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  override async alarm(): Promise<void> {
    this.schedule.fired();
    // A projection retry is always safe to run early, so every ring tries the outbox.
    await this.flush();
    await this.schedule.arm();
  }

  // ---- storage helpers ---------------------------------------------------------------------------

  private stockRow(): StockRow | null {
    return this.sql.exec<StockRow>("SELECT * FROM stock WHERE id = 1").toArray()[0] ?? null;
  }

  private snapshot(): Snapshot {
    const row = this.stockRow();
    if (!row) return EMPTY_SNAPSHOT;
    return { on_hand: row.on_hand, reserved: row.reserved, committed: row.committed, version: row.version };
  }
}

function notFound(sku: string): { ok: false; error: ApiError } {
  return fail("not_found", `no moves recorded for SKU ${sku}`);
}

function toStock(row: StockRow): Stock {
  return {
    sku: row.sku,
    on_hand: row.on_hand,
    reserved: row.reserved,
    committed: row.committed,
    available: available(row),
    version: row.version,
    updated_at: row.updated_at_ms === null ? null : iso(row.updated_at_ms),
  };
}

function stockFromMove(sku: string, m: MoveRow): Stock {
  return {
    sku,
    on_hand: m.on_hand,
    reserved: m.reserved,
    committed: m.committed,
    available: available(m),
    version: m.seq,
    updated_at: iso(m.at_ms),
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
    at: iso(atMs),
  };
}
