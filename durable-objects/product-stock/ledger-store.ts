/**
 * Owns one SKU's `stock_moves` (the ledger) and `ledger_sku`: reads them, and appends decided moves with
 * gapless seqs inside the caller's transaction. Every move carries the balances after it, so the snapshot
 * is the last move: one statement per move, whatever the ledger's length. The snapshot and
 * the moves not yet projected live in memory while the object does (it runs one event at a time, so nothing
 * else writes them); `forget` drops them after a failed transaction.
 */
import { isoInstant, type LocationStock, type Move, type MovesPage, type Stock } from "../domain/contract";
import { available, EMPTY_SNAPSHOT, evolve, evolveAt, type Balances, type LocationBalances, type MoveDraft, type Snapshot } from "../domain/balances";
import { DEFAULT_LOCATION } from "../domain/locations";
import { availableToPromise, type StockPolicy } from "../domain/policy";
import type { LazySchema } from "../shared/migrate";
import type { Actor } from "../domain/actors";

/**
 * A row of `stock_moves`: the decided move, its seq and time, the balances after it (totals, and at its
 * location and a transfer's destination) and the threshold then. `location` is null for `default`, and the
 * balances at it are null on rows from before v1.2, when the totals were the balances at `default`.
 */
interface MoveRow extends Omit<MoveDraft, "location" | "incoming_delta">, Balances {
  seq: number;
  /** (v1.2) The SKU's incoming after the move; null on rows from before, when there was none. */
  incoming: number | null;
  at_ms: number;
  low_stock_threshold: number | null;
  location: string | null;
  at_on_hand: number | null;
  at_reserved: number | null;
  at_committed: number | null;
  to_on_hand: number | null;
  to_reserved: number | null;
  to_committed: number | null;
  /** (v1.2) Null on rows from before. */
  actor: string | null;
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
  /** The balances at every location the SKU ever had a move at. */
  at: LocationBalances;
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
    /** (v1.2) The SKU's backorder and preorder settings now, for `available_to_promise`. */
    private readonly policy: () => StockPolicy,
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
    return state.sku === null ? null : toStock(state.sku, state, this.policy());
  }

  /** Drops what memory holds; the next read comes from storage. */
  forget(): void {
    this.snapshot = undefined;
    this.recent = [];
  }

  /** The stock right after the last move at or before `atMs` (all zeros, no locations, before the first move). */
  stockAt(sku: string, atMs: number): Stock {
    const move = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT 1", atMs)
      .toArray()[0];
    if (!move) return emptyStock(sku);
    const state = { ...balancesOf(move), version: move.seq, incoming: move.incoming ?? 0, sku, updated_at_ms: move.at_ms };
    return toStock(sku, { ...state, at: this.balancesAt(move) }, this.policy());
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
      .map((r) => ({ move: moveObject(sku, r.seq, draftOf(r), { ...r, incoming: r.incoming ?? 0 }, r.at_ms, r.actor), low_stock_threshold: r.low_stock_threshold }));
  }

  page(afterSeq: number, limit: number): MovesPage {
    const moves = this.movesAfter(afterSeq, limit + 1);
    const page = moves.slice(0, limit);
    return { moves: page, next_after_seq: moves.length > limit ? page[page.length - 1]!.seq : null };
  }

  /**
   * Appends decided moves with gapless seqs and writes the snapshot after them. `state` is the snapshot the
   * decision was made on, read in the same transaction; `lowStockThreshold` is the one in force, recorded
   * on each move so that its events are decided here, once; `actor` is who made the call that decided them.
   */
  append(
    sku: string,
    state: LedgerState,
    drafts: readonly MoveDraft[],
    nowMs: number,
    lowStockThreshold: number | null,
    actor: Actor,
  ): Appended {
    if (state.sku !== null && state.sku !== sku) throw new Error(`ledger of ${state.sku} was asked to record ${sku}`);
    // Times never go backwards within a ledger, so `?at=` can search by time.
    const atMs = Math.max(nowMs, state.updated_at_ms ?? 0);
    let balances = balancesOf(state);
    let incoming = state.incoming;
    let at = state.at;
    let seq = state.version;
    const recorded: RecordedMove[] = [];
    for (const draft of drafts) {
      balances = evolve(balances, draft);
      incoming += draft.incoming_delta;
      at = evolveAt(at, draft);
      seq += 1;
      const here = at.get(draft.location)!;
      const there = draft.to_location === null ? null : at.get(draft.to_location)!;
      this.sql.exec(
        `INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed,
           reservation_id, order_id, reason, ref, at_ms, low_stock_threshold, location, to_location,
           at_on_hand, at_reserved, at_committed, to_on_hand, to_reserved, to_committed, incoming_id, incoming, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        draft.location === DEFAULT_LOCATION ? null : draft.location,
        draft.to_location,
        here.on_hand,
        here.reserved,
        here.committed,
        there?.on_hand ?? null,
        there?.reserved ?? null,
        there?.committed ?? null,
        draft.incoming_id,
        incoming,
        actor,
      );
      for (const location of [draft.location, draft.to_location]) {
        if (location !== null && !state.at.has(location)) {
          this.sql.exec("INSERT OR IGNORE INTO ledger_locations (location) VALUES (?)", location);
        }
      }
      recorded.push({ move: moveObject(sku, seq, draft, { ...balances, incoming }, atMs, actor), low_stock_threshold: lowStockThreshold });
    }
    if (recorded.length > 0 && state.sku === null) this.sql.exec("INSERT INTO ledger_sku (id, sku) VALUES (1, ?)", sku);
    const after: LedgerState = { ...balances, version: seq, incoming, sku, updated_at_ms: atMs, at };
    if (recorded.length > 0) {
      this.snapshot = after;
      if (this.recent.at(-1)?.move.seq !== state.version) this.recent = [];
      this.recent.push(...recorded);
      // Trimmed in steps, so an append does not copy the whole window.
      if (this.recent.length > 2 * RECENT_MOVES) this.recent = this.recent.slice(-RECENT_MOVES);
    }
    return { moves: recorded.map((r) => r.move), stock: toStock(sku, after, this.policy()) };
  }

  private read(): LedgerState {
    const none: LedgerState = { ...EMPTY_SNAPSHOT, sku: null, updated_at_ms: null, at: new Map() };
    if (!this.schema.exists) return none;
    const sku = this.sql.exec<{ sku: string }>("SELECT sku FROM ledger_sku").toArray()[0]?.sku;
    const last = this.sql.exec<MoveRow>("SELECT * FROM stock_moves ORDER BY seq DESC LIMIT 1").toArray()[0];
    if (!sku || !last) return none;
    return {
      ...balancesOf(last),
      version: last.seq,
      incoming: last.incoming ?? 0,
      sku,
      updated_at_ms: last.at_ms,
      at: this.balancesAt(last),
    };
  }

  /**
   * The balances at each location right after the move `last`. A SKU that has only ever been at `default`
   * (every SKU of a one-location shop) has them in `last` itself; otherwise each location's last move up to
   * it is found through the ledger's location indexes.
   */
  private balancesAt(last: MoveRow): Map<string, Balances> {
    const locations = this.sql.exec<{ location: string }>("SELECT location FROM ledger_locations").toArray().map((r) => r.location);
    if (locations.every((l) => l === DEFAULT_LOCATION)) return new Map([[DEFAULT_LOCATION, balancesOf(last)]]);
    const at = new Map<string, Balances>();
    for (const location of locations) {
      const found = this.lastAt(location, last.seq);
      if (found) at.set(location, found);
    }
    return at;
  }

  /** The balances at `location` after its last move at or before `seq`, or null when it had none by then. */
  private lastAt(location: string, seq: number): Balances | null {
    const here =
      location === DEFAULT_LOCATION
        ? this.sql.exec<MoveRow>("SELECT * FROM stock_moves WHERE location IS NULL AND seq <= ? ORDER BY seq DESC LIMIT 1", seq)
        : this.sql.exec<MoveRow>("SELECT * FROM stock_moves WHERE location = ? AND seq <= ? ORDER BY seq DESC LIMIT 1", location, seq);
    const row = here.toArray()[0];
    const arrived = this.sql
      .exec<MoveRow>("SELECT * FROM stock_moves WHERE to_location = ? AND seq <= ? ORDER BY seq DESC LIMIT 1", location, seq)
      .toArray()[0];
    if (arrived && (!row || arrived.seq > row.seq)) {
      return { on_hand: arrived.to_on_hand!, reserved: arrived.to_reserved!, committed: arrived.to_committed! };
    }
    if (!row) return null;
    // Rows from before v1.2 are at `default` and carry only the totals, which were its balances then.
    return row.at_on_hand === null ? balancesOf(row) : { on_hand: row.at_on_hand, reserved: row.at_reserved!, committed: row.at_committed! };
  }
}

const balancesOf = (b: Balances): Balances => ({ on_hand: b.on_hand, reserved: b.reserved, committed: b.committed });

/** A SKU's Stock before its first move. */
export const emptyStock = (sku: string): Stock => ({
  sku,
  on_hand: 0,
  reserved: 0,
  committed: 0,
  available: 0,
  version: 0,
  updated_at: null,
  locations: [],
  incoming: 0,
  available_to_promise: 0,
});

function toStock(sku: string, state: LedgerState, policy: StockPolicy): Stock {
  const locations: LocationStock[] = [...state.at]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([location, b]) => ({ location, ...balancesOf(b), available: available(b) }));
  return {
    sku,
    ...balancesOf(state),
    available: available(state),
    version: state.version,
    updated_at: state.updated_at_ms === null ? null : isoInstant(state.updated_at_ms),
    locations,
    incoming: state.incoming,
    available_to_promise: availableToPromise(policy, state.incoming, state.at),
  };
}

/** The decided move a row records. */
const draftOf = (row: MoveRow): MoveDraft => ({
  type: row.type,
  quantity: row.quantity,
  reservation_id: row.reservation_id,
  order_id: row.order_id,
  reason: row.reason,
  ref: row.ref,
  location: row.location ?? DEFAULT_LOCATION,
  to_location: row.to_location,
  incoming_id: row.incoming_id ?? null,
  incoming_delta: 0,
});

/** A move in API.md's field order. */
function moveObject(
  sku: string,
  seq: number,
  draft: MoveDraft,
  after: Balances & { incoming: number },
  atMs: number,
  actor: Actor | null,
): Move {
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
    location: draft.location,
    to_location: draft.to_location,
    incoming_id: draft.incoming_id,
    incoming: after.incoming,
    actor,
  };
}
