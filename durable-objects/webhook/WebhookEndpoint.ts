/**
 * One Durable Object per webhook subscription: its URL and event types, and every delivery to it with each
 * attempt. Deliveries are tried at once, then from the object's alarm on the Standard Webhooks schedule, so
 * a slow or failing endpoint keeps only its own object busy and never delays another's deliveries.
 * Enqueueing is idempotent by event id: the queue delivers at least once, and a repeat is ignored.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import {
  fail,
  isoInstant,
  succeed,
  type CreatedWebhook,
  type DeliveriesPage,
  type Outcome,
  type Webhook,
  type WebhookDelivery,
} from "../domain/contract";
import type { StockEvent } from "../domain/stock-events";
import { afterAttempt, DELIVERY_TIMEOUT_MS, type DeliveryStatus } from "../domain/delivery-policy";
import { describeError } from "../shared/calls";
import { clock } from "../shared/clock";
import { LazySchema } from "../shared/migrate";
import { WEBHOOK_ENDPOINT_SCHEMA } from "./schema";
import { deriveSecret, newNonce, signedHeaders } from "./signing";

/** What an endpoint is sent: a stock event, or a ping. Its `id` is the delivery's `webhook-id`. */
export type WebhookEvent = StockEvent | PingEvent;

export interface PingEvent {
  id: string;
  type: "ping";
  webhook_id: string;
  at: string;
}

interface EndpointRow {
  webhook_id: string;
  url: string;
  events: string;
  description: string | null;
  nonce: string;
  fingerprint: string | null;
  created_at_ms: number;
  deleted_at_ms: number | null;
  [column: string]: SqlStorageValue;
}

interface DeliveryRow {
  n: number;
  event_id: string;
  type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at_ms: number | null;
  delivered_at_ms: number | null;
  [column: string]: SqlStorageValue;
}

/** Deliveries tried at once, side by side, per round. */
const ROUND_SIZE = 50;

/** Delivered and failed deliveries (and their attempts) are kept this long, then pruned as new ones come. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;
const PRUNE_BATCH = 100;

export class WebhookEndpoint extends DurableObject<ObjectBindings> {
  private readonly schema: LazySchema;
  private running: Promise<void> | null = null;
  private again = false;
  private secret: Promise<string> | undefined;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = new LazySchema(ctx.storage, WEBHOOK_ENDPOINT_SCHEMA);
  }

  /**
   * Creates the subscription and answers it with its secret. `fingerprint` is that of a keyed request: its
   * retry answers the same webhook and secret again; another body under the same key is a conflict.
   */
  async create(webhook: Omit<Webhook, "created_at">, fingerprint: string | null): Promise<Outcome<CreatedWebhook>> {
    const signingKey = this.env.WEBHOOK_SIGNING_KEY;
    if (!signingKey) return fail("unavailable", "webhooks are not configured: set the WEBHOOK_SIGNING_KEY secret", { retryable: true });
    this.schema.ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO endpoint (id, webhook_id, url, events, description, nonce, fingerprint, created_at_ms)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      webhook.id,
      webhook.url,
      JSON.stringify(webhook.events),
      webhook.description,
      newNonce(),
      fingerprint,
      clock.now(),
    );
    const row = this.endpoint()!;
    if (row.fingerprint !== fingerprint || row.deleted_at_ms !== null) {
      return fail("idempotency_conflict", "this Idempotency-Key created another webhook (or one since deleted)");
    }
    return succeed({ ...viewOf(row), secret: await deriveSecret(signingKey, row.webhook_id, row.nonce) });
  }

  /** Stops every delivery, now and later; what was recorded stays. */
  async remove(): Promise<Outcome<Webhook>> {
    const row = this.endpoint();
    if (!row || row.deleted_at_ms !== null) return notFound();
    this.ctx.storage.sql.exec("UPDATE endpoint SET deleted_at_ms = ?", clock.now());
    await this.ctx.storage.deleteAlarm();
    return succeed(viewOf(row));
  }

  /** Takes events for delivery (those this subscription wants; pings always), ignoring any seen before. */
  async enqueue(events: readonly WebhookEvent[]): Promise<Outcome<{ accepted: number }>> {
    const row = this.endpoint();
    if (!row || row.deleted_at_ms !== null) return succeed({ accepted: 0 });
    const wanted = new Set<string>(JSON.parse(row.events));
    const now = clock.now();
    let accepted = 0;
    this.ctx.storage.transactionSync(() => {
      this.pruneSettled(now);
      for (const event of events) {
        if (event.type !== "ping" && !wanted.has(event.type)) continue;
        accepted += this.ctx.storage.sql.exec(
          `INSERT INTO deliveries (event_id, type, body, status, attempts, next_attempt_at_ms, created_at_ms)
           VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
          event.id,
          event.type,
          JSON.stringify(event),
          now,
          now,
        ).rowsWritten;
      }
    });
    if (accepted > 0) {
      // The alarm is the safety net if this object is evicted before the round below ends; it only ever
      // moves earlier here, so a retry already due sooner keeps its time.
      const safetyNet = now + DELIVERY_TIMEOUT_MS * 2;
      const armed = await this.ctx.storage.getAlarm();
      if (armed === null || armed > safetyNet) await this.ctx.storage.setAlarm(safetyNet);
      this.ctx.waitUntil(this.deliverDue());
    }
    return succeed({ accepted });
  }

  /** Sends a `ping` event (it bypasses the subscription's event types). */
  async ping(event: WebhookEvent): Promise<Outcome<{ event_id: string }>> {
    const row = this.endpoint();
    if (!row || row.deleted_at_ms !== null) return notFound();
    await this.enqueue([event]);
    return succeed({ event_id: event.id });
  }

  /** Deliveries newest first, `after` an opaque cursor from a previous page. */
  async deliveries(after: number | null, limit: number, status: DeliveryStatus | null): Promise<Outcome<DeliveriesPage>> {
    const row = this.endpoint();
    if (!row || row.deleted_at_ms !== null) return notFound();
    const before = after ?? Number.MAX_SAFE_INTEGER;
    const sql = this.ctx.storage.sql;
    const rows = (
      status === null
        ? sql.exec<DeliveryRow>("SELECT * FROM deliveries WHERE n < ? ORDER BY n DESC LIMIT ?", before, limit + 1)
        : sql.exec<DeliveryRow>("SELECT * FROM deliveries WHERE status = ? AND n < ? ORDER BY n DESC LIMIT ?", status, before, limit + 1)
    ).toArray();
    const page = rows.slice(0, limit);
    return succeed({
      items: page.map(deliveryView),
      next_after: rows.length > limit ? String(page[page.length - 1]!.n) : null,
    });
  }

  /** Waits for the round in progress (tests and operators). */
  async settle(): Promise<void> {
    await this.running;
  }

  override async alarm(): Promise<void> {
    await this.deliverDue();
  }

  /**
   * One run at a time: every due delivery is tried, side by side, then the alarm points at the next. A call
   * during a run makes it go round once more, so an event enqueued while it ends is not left to the alarm.
   */
  private deliverDue(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.deliverRounds();
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async deliverRounds(): Promise<void> {
    for (;;) {
      const row = this.endpoint();
      if (!row || row.deleted_at_ms !== null) return;
      const due = this.ctx.storage.sql
        .exec<DeliveryRow>(
          `SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, n LIMIT ?`,
          clock.now(),
          ROUND_SIZE,
        )
        .toArray();
      if (due.length === 0) break;
      await Promise.all(due.map((delivery) => this.attempt(row, delivery)));
    }
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(next_attempt_at_ms) AS at FROM deliveries WHERE status = 'pending'")
      .one().at;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /** One POST of one event, recorded whatever happens; never throws. */
  private async attempt(endpoint: EndpointRow, delivery: DeliveryRow): Promise<void> {
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const headers = signedHeaders(await this.signingSecret(endpoint), delivery.event_id, new Date(), delivery.body);
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "user-agent": "stockwell-webhooks/1" },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (statusCode < 200 || statusCode >= 300) error = `answered ${statusCode}`;
    } catch (err) {
      error = err instanceof Error && err.name === "TimeoutError" ? `no answer in ${DELIVERY_TIMEOUT_MS / 1000} s` : describeError(err);
    }
    const now = clock.now();
    const attempts = delivery.attempts + 1;
    const after = afterAttempt(attempts, statusCode, now);
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec(
        "INSERT INTO attempts (event_id, attempt, at_ms, status_code, error) VALUES (?, ?, ?, ?, ?)",
        delivery.event_id,
        attempts,
        now,
        statusCode,
        error,
      );
      this.ctx.storage.sql.exec(
        `UPDATE deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at_ms = ?,
           delivered_at_ms = ? WHERE event_id = ?`,
        after.status,
        attempts,
        statusCode,
        error,
        after.next_attempt_at_ms,
        after.status === "delivered" ? now : null,
        delivery.event_id,
      );
    });
    if (after.status === "failed") console.warn(`webhook ${endpoint.webhook_id}: gave up on ${delivery.event_id} after ${attempts} attempts`);
  }

  /** Deletes a batch of settled deliveries older than the retention, oldest first, with their attempts. */
  private pruneSettled(nowMs: number): void {
    const sql = this.ctx.storage.sql;
    const old = sql
      .exec<{ n: number; event_id: string }>(
        "SELECT n, event_id FROM deliveries WHERE status != 'pending' AND created_at_ms < ? ORDER BY n LIMIT ?",
        nowMs - DELIVERY_RETENTION_MS,
        PRUNE_BATCH,
      )
      .toArray();
    for (const { n, event_id } of old) {
      sql.exec("DELETE FROM attempts WHERE event_id = ?", event_id);
      sql.exec("DELETE FROM deliveries WHERE n = ?", n);
    }
  }

  private signingSecret(endpoint: EndpointRow): Promise<string> {
    const signingKey = this.env.WEBHOOK_SIGNING_KEY;
    if (!signingKey) return Promise.reject(new Error("WEBHOOK_SIGNING_KEY is not set"));
    this.secret ??= deriveSecret(signingKey, endpoint.webhook_id, endpoint.nonce);
    return this.secret;
  }

  private endpoint(): EndpointRow | null {
    if (!this.schema.exists) return null;
    return this.ctx.storage.sql.exec<EndpointRow>("SELECT * FROM endpoint").toArray()[0] ?? null;
  }
}

const notFound = () => fail("not_found", "no such webhook");

const viewOf = (row: EndpointRow): Webhook => ({
  id: row.webhook_id,
  url: row.url,
  events: JSON.parse(row.events),
  description: row.description,
  created_at: isoInstant(row.created_at_ms),
});

const deliveryView = (row: DeliveryRow): WebhookDelivery => ({
  event_id: row.event_id,
  type: row.type,
  status: row.status,
  attempts: row.attempts,
  last_status_code: row.last_status_code,
  last_error: row.last_error,
  next_attempt_at: row.next_attempt_at_ms === null ? null : isoInstant(row.next_attempt_at_ms),
  delivered_at: row.delivered_at_ms === null ? null : isoInstant(row.delivered_at_ms),
});
