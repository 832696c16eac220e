/**
 * The stock-events queue's consumer: hands each event to every webhook subscribed to its type. Handing over
 * is a call to the subscription's own object, which records the delivery and sends it on its own time, so
 * a slow or failing endpoint never holds up this batch or another endpoint. A message whose hand-over
 * failed is retried by the queue; the objects ignore an event id they already have.
 */
import type { StockEvent } from "../../durable-objects/domain/stock-events";
import { describeError, webhookAt } from "../../durable-objects/shared/calls";
import { forEachAtMost } from "../../durable-objects/shared/concurrency";
import type { Env } from "../env";
import { logEvent } from "../../durable-objects/shared/log";

interface Subscription {
  id: string;
  events: Set<string>;
}

/**
 * Subscriptions handed a batch at once. A batch makes at most one call per subscription (at most 100, so well
 * under the 1,000 subrequests of an invocation), and no more than this many are open at a time.
 */
const HANDOVERS_AT_ONCE = 6;

/** Seconds before a message is tried again: doubling from 2 s to an hour, so 100 tries outlast a day's outage. */
const retryDelay = (attempts: number) => Math.min(2 ** attempts, 3_600);

/** A message's body: the events of consecutive moves; a single event in messages sent before 2026-11-26. */
export type StockEventMessage = StockEvent[] | StockEvent;

const eventsIn = (message: Message<StockEventMessage>): StockEvent[] =>
  Array.isArray(message.body) ? message.body : [message.body];

export async function fanOut(batch: MessageBatch<StockEventMessage>, env: Env): Promise<void> {
  let results: Array<{ id: string; events: string }>;
  try {
    ({ results } = await env.DB.prepare("SELECT id, events FROM webhooks").all<{ id: string; events: string }>());
  } catch (err) {
    logEvent("error", "fanout_retry", { messages: batch.messages.length, attempt: Math.max(...batch.messages.map((m) => m.attempts)), error: describeError(err) });
    batch.retryAll({ delaySeconds: retryDelay(Math.max(...batch.messages.map((m) => m.attempts))) });
    return;
  }
  const subscriptions: Subscription[] = results.map((r) => ({ id: r.id, events: new Set(JSON.parse(r.events)) }));
  const failed = new Set<Message<StockEventMessage>>();
  await forEachAtMost(subscriptions, HANDOVERS_AT_ONCE, async (subscription) => {
    const wanted = batch.messages
      .map((message) => ({ message, events: eventsIn(message).filter((e) => subscription.events.has(e.type)) }))
      .filter((w) => w.events.length > 0);
    if (wanted.length === 0) return;
    try {
      const handed = await webhookAt(env, subscription.id).enqueue(wanted.flatMap((w) => w.events));
      if (!handed.ok) throw new Error(handed.error.message);
    } catch (err) {
      logEvent("error", "fanout_handover_retry", { webhook: subscription.id, error: describeError(err) });
      for (const w of wanted) failed.add(w.message);
    }
  });
  for (const message of batch.messages) {
    if (failed.has(message)) message.retry({ delaySeconds: retryDelay(message.attempts) });
    else message.ack();
  }
}
