/**
 * Sends one SKU's stock events to the events queue. Every move records the threshold in force, so its
 * events are decided by the move's own transaction; the ledger past `sent_seq` is the outbox. Sends run one
 * at a time, in seq order, each batch of moves as one message; a failure leaves the watermark where it was
 * and retries with backoff from the object's alarm. A crash after the send but before the watermark moved
 * sends the same events again, with the same ids: delivery is at least once, and receivers dedupe by id.
 */
import { SingleFlight } from "../shared/serial";
import { eventsOf, type StockEvent } from "../domain/stock-events";
import { OUTBOX_RETRY, OUTBOX_SAFETY_NET_MS, type Schedule, type SendCause } from "../shared/schedule";
import type { LedgerStore } from "./ledger-store";
import { logEvent } from "../shared/log";
import { clock } from "../shared/clock";
import type { LagReport } from "./lag-report";

const EVENTS = { kind: "events", key: "queue" } as const;

/** Moves read from the ledger per message, at the most. */
const EVENTS_BATCH_MOVES = 40;

/**
 * Bytes of JSON per message, at the most: a queue message holds 128 KB. A move's events are usually under
 * 1 KB, but a `ref` and `reason` of control characters escape to about 2.4 KB each, so batches are cut by
 * their size, never by a count alone. One message for many events is one queue operation to write, read and
 * bill instead of one per event.
 */
export const EVENTS_MESSAGE_BYTES = 96 * 1024;

const utf8 = new TextEncoder();

export class EventOutbox {
  private readonly inFlight = new SingleFlight();
  /** `sent_seq`, kept in memory while the object lives; `forget` drops it. */
  private sent: number | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly schedule: Schedule,
    private readonly queue: Queue<StockEvent[]>,
    private readonly ledger: LedgerStore,
    private readonly lag: LagReport,
  ) {}

  /** Inside a command's transaction that appended moves: the alarm is the safety net (see Projector). */
  noteAppended(nowMs: number): void {
    this.schedule.atOrBefore(EVENTS.kind, EVENTS.key, nowMs + OUTBOX_SAFETY_NET_MS);
  }

  /** Moves whose events are not yet on the queue. */
  pending(): number {
    return this.ledger.version() - this.sentSeq();
  }

  /** After an alarm's send: with nothing left, the safety net is spent. */
  settle(): void {
    if (this.pending() === 0) this.schedule.remove(EVENTS.kind, EVENTS.key);
  }

  forget(): void {
    this.sent = undefined;
  }

  /** One send at a time per object; later callers share the running one. */
  flush(cause: SendCause = "retry"): Promise<void> {
    if (cause === "command" && this.schedule.backingOff(EVENTS.kind, EVENTS.key, clock.now())) return Promise.resolve();
    return this.inFlight.run(() => this.drain());
  }

  private async drain(): Promise<void> {
    // The most moves a message may carry; halved when the queue refuses one, so no batch can stop a SKU.
    let most = EVENTS_BATCH_MOVES;
    while (this.pending() > 0) {
      const batch = this.nextBatch(most);
      try {
        await this.queue.send(batch.events, { contentType: "json" });
      } catch (err) {
        if (batch.moves > 1) {
          most = Math.ceil(batch.moves / 2);
          logEvent("warn", "events_message_split", { sku: this.ledger.sku(), moves: batch.moves, next_moves: most, error: String(err) });
          continue;
        }
        const { attempt, delayMs } = this.schedule.backOff(EVENTS.kind, EVENTS.key, OUTBOX_RETRY.firstMs, OUTBOX_RETRY.maxMs);
        logEvent("warn", "events_retry", { sku: this.ledger.sku(), attempt, retry_in_ms: delayMs, error: String(err) });
        await this.schedule.arm();
        await this.lag.behind(this.ledger.sku()!);
        return;
      }
      this.storage.sql.exec("UPDATE event_outbox SET sent_seq = ?", batch.lastSeq);
      this.sent = batch.lastSeq;
    }
    const sku = this.ledger.sku();
    if (this.schedule.clearRetries(EVENTS.kind, EVENTS.key) && sku) await this.lag.caughtUp(sku);
  }

  /**
   * The events of the next moves past the watermark: at most `most` moves and `EVENTS_MESSAGE_BYTES` of
   * JSON, and always at least one move (whose events alone are a few KB at worst).
   */
  private nextBatch(most: number): { events: StockEvent[]; moves: number; lastSeq: number } {
    const from = this.sentSeq();
    // The move at the watermark too: its available is the "before" of the first one to send.
    const recorded = this.ledger.recordedAfter(Math.max(from - 1, 0), most + 1);
    let before = from === 0 ? 0 : recorded.shift()!.move.available;
    const events: StockEvent[] = [];
    let bytes = 2;
    let moves = 0;
    for (const { move, low_stock_threshold } of recorded) {
      const ofMove = eventsOf(move, before, low_stock_threshold);
      const size = ofMove.reduce((sum, event) => sum + utf8.encode(JSON.stringify(event)).byteLength + 1, 0);
      if (moves > 0 && bytes + size > EVENTS_MESSAGE_BYTES) break;
      events.push(...ofMove);
      bytes += size;
      moves += 1;
      before = move.available;
    }
    return { events, moves, lastSeq: recorded[moves - 1]!.move.seq };
  }

  private sentSeq(): number {
    this.sent ??= this.storage.sql.exec<{ sent_seq: number }>("SELECT sent_seq FROM event_outbox").one().sent_seq;
    return this.sent;
  }
}
