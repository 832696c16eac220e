/**
 * Sends one SKU's ledger to the D1 read model. The ledger is append-only, so the outbox is a watermark:
 * every move past `projected_seq` is still to be sent. Flushes run one at a time, in seq order, in batches;
 * a failure leaves the watermark where it was and schedules a retry with backoff on the object's alarm.
 * The first flush also registers the SKU in the catalog, which a rebuild of D1 walks.
 */
import { SingleFlight } from "../shared/serial";
import type { ObjectBindings } from "../bindings";
import type { LocationStock, Move } from "../domain/contract";
import type { LedgerStore } from "./ledger-store";
import type { SettingsStore } from "./settings-store";
import { PROJECTION_BATCH_MOVES, projectionStatements, settingsStatement } from "./projection-sql";
import { catalogAt } from "../shared/calls";
import { OUTBOX_RETRY, OUTBOX_SAFETY_NET_MS, type Schedule, type SendCause } from "../shared/schedule";
import { logEvent } from "../shared/log";
import { clock } from "../shared/clock";
import { d1Writes } from "../shared/d1-breaker";
import type { LagReport } from "./lag-report";

const PROJECTION = { kind: "projection", key: "d1" } as const;

interface Watermark {
  projected_seq: number;
  epoch: number;
  registered: number;
  /** 0 while D1 may hold an older low-stock threshold than the object's settings. */
  settings_projected: number;
  [column: string]: SqlStorageValue;
}

export class Projector {
  private readonly inFlight = new SingleFlight();
  /** The `projection` row, kept in memory while the object lives; `forget` drops it. */
  private mark: Watermark | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly schedule: Schedule,
    private readonly env: ObjectBindings,
    private readonly ledger: LedgerStore,
    private readonly settings: SettingsStore,
    private readonly lag: LagReport,
  ) {}

  /** Called inside the transaction that changed the SKU's settings: D1's copy is now stale. */
  noteSettingsChanged(nowMs: number): void {
    this.storage.sql.exec("UPDATE projection SET settings_projected = 0");
    this.mark = { ...this.watermark(), settings_projected: 0 };
    this.noteAppended(nowMs);
  }

  /**
   * Called inside a command's transaction that appended moves: the alarm is the safety net. The entry stays
   * after a successful flush (removing and re-adding it for every command would be two writes each); the
   * alarm it rings finds nothing to send and removes it.
   */
  noteAppended(nowMs: number): void {
    this.schedule.atOrBefore(PROJECTION.kind, PROJECTION.key, nowMs + OUTBOX_SAFETY_NET_MS);
  }

  /** Moves not yet in D1. */
  pending(): number {
    return this.ledger.version() - this.watermark().projected_seq;
  }

  /** Sends the whole ledger again from seq 1 (rebuild); overrules a flush already in flight. */
  restart(nowMs: number): void {
    const mark = this.watermark();
    this.storage.transactionSync(() => {
      this.storage.sql.exec("UPDATE projection SET projected_seq = 0, epoch = epoch + 1");
      this.schedule.atOrBefore(PROJECTION.kind, PROJECTION.key, nowMs);
    });
    this.mark = { ...mark, projected_seq: 0, epoch: mark.epoch + 1 };
  }

  /** After an alarm's flush: with nothing left to send, the safety net is spent. */
  settle(): void {
    if (this.upToDate()) this.schedule.remove(PROJECTION.kind, PROJECTION.key);
  }

  /** D1 has every move, the catalog knows the SKU, and D1 has its settings (or there is no SKU to send yet). */
  private upToDate(): boolean {
    const mark = this.watermark();
    if (this.ledger.sku() === null) return true;
    return this.pending() === 0 && mark.registered === 1 && mark.settings_projected === 1;
  }

  forget(): void {
    this.mark = undefined;
  }

  /** One flush at a time per object; later callers share the running one. */
  flush(cause: SendCause = "retry"): Promise<void> {
    if (cause === "command" && this.waitsForRetry()) return Promise.resolve();
    return this.inFlight.run(() => this.drain());
  }

  /** A command's send waits while this outbox's retry is not due or D1's breaker is open (the alarm is set). */
  private waitsForRetry(): boolean {
    const now = clock.now();
    return this.schedule.backingOff(PROJECTION.kind, PROJECTION.key, now) || d1Writes.waitUntil(now) !== null;
  }

  /** The balances by location after the last of `moves`, when it is the ledger's last (then they are in memory). */
  private locationsAfter(moves: readonly Move[]): LocationStock[] | null {
    const stock = this.ledger.current();
    return stock && moves.length > 0 && moves[moves.length - 1]!.seq === stock.version ? stock.locations : null;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const sku = this.ledger.sku();
      if (!sku || this.upToDate()) {
        if (this.schedule.clearRetries(PROJECTION.kind, PROJECTION.key) && sku) await this.lag.caughtUp(sku);
        return;
      }
      const mark = this.watermark();
      const moves = this.ledger.movesAfter(mark.projected_seq, PROJECTION_BATCH_MOVES);
      const settingsChanged = !mark.settings_projected;
      try {
        if (!mark.registered) {
          const registered = await catalogAt(this.env).register(sku);
          if (!registered.ok) throw new Error(registered.error.message);
          this.storage.sql.exec("UPDATE projection SET registered = 1");
          this.mark = { ...this.watermark(), registered: 1 };
        }
        const sent = this.settings.current();
        const batch = [
          ...(settingsChanged ? [settingsStatement(this.env.DB, sku, sent)] : []),
          ...projectionStatements(this.env.DB, moves, sent, this.locationsAfter(moves)),
        ];
        if (batch.length > 0) await this.env.DB.batch(batch);
        d1Writes.succeeded();
        // Settings changed again while the batch was out: the next round sends them.
        if (settingsChanged && this.settings.current().updated_at_ms === sent.updated_at_ms) {
          this.storage.sql.exec("UPDATE projection SET settings_projected = 1");
          this.mark = { ...this.watermark(), settings_projected: 1 };
        }
      } catch (err) {
        await this.retryLater(sku, err);
        return;
      }
      const last = moves[moves.length - 1];
      const current = this.watermark();
      // A rebuild that started meanwhile (a new epoch) keeps its own watermark.
      if (last && current.epoch === mark.epoch && last.seq > current.projected_seq) {
        this.storage.sql.exec("UPDATE projection SET projected_seq = ?", last.seq);
        this.mark = { ...current, projected_seq: last.seq };
      }
    }
  }

  private async retryLater(sku: string, err: unknown): Promise<void> {
    d1Writes.failed(clock.now());
    const { attempt, delayMs } = this.schedule.backOff(PROJECTION.kind, PROJECTION.key, OUTBOX_RETRY.firstMs, OUTBOX_RETRY.maxMs);
    logEvent("warn", "projection_retry", { sku, attempt, retry_in_ms: delayMs, error: String(err) });
    await this.schedule.arm();
    await this.lag.behind(sku);
  }

  private watermark(): Watermark {
    this.mark ??= {
      ...this.storage.sql.exec<Watermark>("SELECT projected_seq, epoch, registered, settings_projected FROM projection").one(),
    };
    return this.mark;
  }
}
