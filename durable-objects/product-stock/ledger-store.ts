/**
 * Owns one SKU's `stock_moves` (the ledger) and `ledger_sku`: reads them, and appends decided moves with
 * gapless seqs inside the caller's transaction. Every move carries the balances after it, so the snapshot
 * is the last move: one statement per move, whatever the ledger's length. The snapshot and
 * the moves not yet projected live in memory while the object does (it runs one event at a time, so nothing
 * else writes them); `forget` drops them after a failed transaction.
 */
import { isoInstant, type Move, type MovesPage, type Stock } from "../domain/contract";
import {
  available,
  EMPTY_SNAPSHOT,
  evolve,
  type Balances,
  type MoveDraft,
  type Snapshot,
} from "../domain/ledger";
import type { LazySchema } from "../shared/migrate";

/** A row of `stock_moves`: the decided move, its seq and time, the balances after it and the threshold then. */
interface MoveRow extends MoveDraft, Balances {
  seq: number;
  at_ms: number;
  low_stock_threshold: number | null;
  [column: string]: SqlStorageValue;
}

/** A move as recorded: with the low-stock threshold in force when it was made (what its events depend on). */
export interface RecordedMove {
  move: Move;
  low_stock_threshold: number | null;
}

/** The snapshot a decision is made on, with what `append` needs to check and extend it. */
export interface LedgerState extends Snapshot {
  /** Null before the first move. */
  sku: string | null;
  updated_at_ms: number | null;
}

/** What an append wrote: the moves as the API shows them, and the stock after the last. */
export interface Appended {
  moves: Move[];
  stock: Stock;
}

/** Recent moves kept in memory for the outboxes: at least this many, at most twice as many. */
const RECENT_MOVES = 512;

export class LedgerStore {
  private snapshot: LedgerState | undefined;
  /** The last moves appended by this instance, ascending and gapless, for the outboxes. */
  private recent: RecordedMove[] = [];

  constructor(
    private readonly sql: SqlStorage,
    private readonly schema: LazySchema,
  ) {}

  /** The current snapshot, which a decision is made on. */
  state(): LedgerState {
    this.snapshot ??= this.read();
    return this.snapshot;
  }

  sku(): string | null {
    return this.state().sku;
  }

  /** The seq of the last move (0 before the first). */
  version(): number {
    return this.state().version;
  }

  /** Whether this object is the ledger of `sku` (it has recorded a move for it). */
  holds(sku: string): boolean {
    return this.state().sku === sku;
  }

  current(): Stock | null {
    const state = this.state();
    return state.sku === null ? null : toStock(state.sku, state);
  }

  /** Drops what memory holds; the next read comes from storage. */
  forget(): void {
    this.snapshot = undefined;
    this.recent = [];
  }

  /** The stock right after the last move at or before `atMs` (all zeros before the first move). */
  stockAt(sku: string, atMs: number): Stock {
    const move = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT 1", atMs)
      .toArray()[0];
    if (!move) return { sku, ...EMPTY_SNAPSHOT, available: 0, updated_at: null };
    return { sku, ...balancesOf(move), available: available(move), version: move.seq, updated_at: isoInstant(move.at_ms) };
  }

  /** Moves after `afterSeq`, ascending, at most `limit` (none before the first move). */
  movesAfter(afterSeq: number, limit: number): Move[] {
    return this.recordedAfter(afterSeq, limit).map((r) => r.move);
  }

  /** Moves after `afterSeq` with the threshold each was made under, ascending, at most `limit`. */
  recordedAfter(afterSeq: number, limit: number): RecordedMove[] {
    const sku = this.sku();
    if (sku === null) return [];
    const first = this.recent[0];
    if (first && first.move.seq <= afterSeq + 1) {
      // Gapless and ascending: the move after `afterSeq` is at a known index.
      const from = afterSeq + 1 - first.move.seq;
      return this.recent.slice(from, from + limit);
    }
    return this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
      .toArray()
      .map((r) => ({ move: moveObject(sku, r.seq, r, r, r.at_ms), low_stock_threshold: r.low_stock_threshold }));
  }

  page(afterSeq: number, limit: number): MovesPage {
    const moves = this.movesAfter(afterSeq, limit + 1);
    const page = moves.slice(0, limit);
    return { moves: page, next_after_seq: moves.length > limit ? page[page.length - 1]!.seq : null };
  }

  /**
   * Appends decided moves with gapless seqs and writes the snapshot after them. `state` is the snapshot the
   * decision was made on, read in the same transaction; `lowStockThreshold` is the one in force, recorded
   * on each move so that its events are decided here, once.
   */
  append(
    sku: string,
    state: LedgerState,
    drafts: readonly MoveDraft[],
    nowMs: number,
    lowStockThreshold: number | null,
  ): Appended {
    if (state.sku !== null && state.sku !== sku) throw new Error(`ledger of ${state.sku} was asked to record ${sku}`);
    // Times never go backwards within a ledger, so `?at=` can search by time.
    const atMs = Math.max(nowMs, state.updated_at_ms ?? 0);
    let balances = balancesOf(state);
    let seq = state.version;
    const recorded: RecordedMove[] = [];
    for (const draft of drafts) {
      balances = evolve(balances, draft);
      seq += 1;
      this.sql.exec(
        `INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed,
           reservation_id, order_id, reason, ref, at_ms, low_stock_threshold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        lowStockThreshold,
      );
      recorded.push({ move: moveObject(sku, seq, draft, balances, atMs), low_stock_threshold: lowStockThreshold });
    }
    if (recorded.length > 0 && state.sku === null) this.sql.exec("INSERT INTO ledger_sku (id, sku) VALUES (1, ?)", sku);
    if (recorded.length > 0) {
      this.snapshot = { ...balances, version: seq, sku, updated_at_ms: atMs };
      if (this.recent.at(-1)?.move.seq !== state.version) this.recent = [];
      this.recent.push(...recorded);
      // Trimmed in steps, so an append does not copy the whole window.
      if (this.recent.length > 2 * RECENT_MOVES) this.recent = this.recent.slice(-RECENT_MOVES);
    }
    return {
      moves: recorded.map((r) => r.move),
      stock: { sku, ...balances, available: available(balances), version: seq, updated_at: isoInstant(atMs) },
    };
  }

  private read(): LedgerState {
    if (!this.schema.exists) return { ...EMPTY_SNAPSHOT, sku: null, updated_at_ms: null };
    const sku = this.sql.exec<{ sku: string }>("SELECT sku FROM ledger_sku").toArray()[0]?.sku;
    const last = this.sql.exec<MoveRow>("SELECT * FROM stock_moves ORDER BY seq DESC LIMIT 1").toArray()[0];
    if (!sku || !last) return { ...EMPTY_SNAPSHOT, sku: null, updated_at_ms: null };
    return { ...balancesOf(last), version: last.seq, sku, updated_at_ms: last.at_ms };
  }
}

const balancesOf = (b: Balances): Balances => ({ on_hand: b.on_hand, reserved: b.reserved, committed: b.committed });

function toStock(sku: string, state: LedgerState): Stock {
  return {
    sku,
    ...balancesOf(state),
    available: available(state),
    version: state.version,
    updated_at: state.updated_at_ms === null ? null : isoInstant(state.updated_at_ms),
  };
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
