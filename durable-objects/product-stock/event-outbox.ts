/**
 * Sends one SKU's stock events to the events queue. Every move records the threshold in force, so its
 * events are decided by the move's own transaction; the ledger past `sent_seq` is the outbox. Sends run one
 * at a time, in seq order, each batch of moves as one message; a failure leaves the watermark where it was
 * and retries with backoff from the object's alarm. A crash after the send but before the watermark moved
 * sends the same events again, with the same ids: delivery is at least once, and receivers dedupe by id.
 */
import { SingleFlight } from "../shared/serial";
import { eventsOf, type StockEvent } from "../domain/stock-events";
import { OUTBOX_RETRY, OUTBOX_SAFETY_NET_MS, type Schedule } from "../shared/schedule";
import type { LedgerStore } from "./ledger-store";

const EVENTS = { kind: "events", key: "queue" } as const;

/**
 * Moves per message: each makes at most two events of under 1 KB, and a message holds at most 128 KB. One
 * message for many events is one queue operation to write, read and bill instead of one per event.
 */
const EVENTS_BATCH_MOVES = 40;

export class EventOutbox {
  private readonly inFlight = new SingleFlight();
  /** `sent_seq`, kept in memory while the object lives; `forget` drops it. */
  private sent: number | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly schedule: Schedule,
    private readonly queue: Queue<StockEvent[]>,
    private readonly ledger: LedgerStore,
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
  flush(): Promise<void> {
    return this.inFlight.run(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.pending() > 0) {
      const from = this.sentSeq();
      // The move at the watermark too: its available is the "before" of the first one to send.
      const recorded = this.ledger.recordedAfter(Math.max(from - 1, 0), EVENTS_BATCH_MOVES + 1);
      let before = from === 0 ? 0 : recorded.shift()!.move.available;
      const events: StockEvent[] = [];
      for (const { move, low_stock_threshold } of recorded) {
        events.push(...eventsOf(move, before, low_stock_threshold));
        before = move.available;
      }
      try {
        await this.queue.send(events, { contentType: "json" });
      } catch (err) {
        const { attempt, delayMs } = this.schedule.backOff(EVENTS.kind, EVENTS.key, OUTBOX_RETRY.firstMs, OUTBOX_RETRY.maxMs);
        console.warn(`stock events of ${this.ledger.sku()} not sent (attempt ${attempt}, retry in ${delayMs} ms): ${String(err)}`);
        await this.schedule.arm();
        return;
      }
      const last = recorded[recorded.length - 1]!.move.seq;
      this.storage.sql.exec("UPDATE event_outbox SET sent_seq = ?", last);
      this.sent = last;
    }
    // After failed attempts, success starts the backoff over.
    if (this.schedule.get(EVENTS.kind, EVENTS.key)?.attempts) this.schedule.remove(EVENTS.kind, EVENTS.key);
  }

  private sentSeq(): number {
    this.sent ??= this.storage.sql.exec<{ sent_seq: number }>("SELECT sent_seq FROM event_outbox").one().sent_seq;
    return this.sent;
  }
}
