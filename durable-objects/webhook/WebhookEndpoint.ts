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
  succeed,
  type CreatedWebhook,
  type DeliveriesPage,
  type Outcome,
  type Webhook,
} from "../domain/contract";
import { afterAttempt, DELIVERY_TIMEOUT_MS, type DeliveryStatus } from "../domain/delivery-policy";
import { describeError } from "../shared/calls";
import { clock } from "../shared/clock";
import { LazySchema } from "../shared/migrate";
import { WEBHOOK_ENDPOINT_SCHEMA } from "./schema";
import { deriveSecret, keyIdOf, newNonce, signedHeaders, signingKeys, type SigningKeys } from "./signing";
import { logEvent } from "../shared/log";
import {
  BACKLOG_FULL,
  DELIVERY_RETENTION_MS,
  deliveryView,
  MAX_KEPT_DELIVERIES,
  MAX_PENDING_DELIVERIES,
  notFound,
  PRUNE_AT_LEAST,
  SENDS_AT_ONCE,
  viewOf,
  type DeliveryRow,
  type EndpointRow,
  type WebhookEvent,
} from "./deliveries";

export class WebhookEndpoint extends DurableObject<ObjectBindings> {
  private readonly schema: LazySchema;
  private running: Promise<void> | null = null;
  private again = false;
  /** The configured signing keys, for the secrets they were read from. */
  private keys: { source: string; keys: Promise<SigningKeys> } | null = null;
  /** This webhook's secret under each key id it has used. */
  private readonly secrets = new Map<string, Promise<string>>();

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = new LazySchema(ctx.storage, WEBHOOK_ENDPOINT_SCHEMA);
  }

  /** Creates the subscription under the current signing key and answers it with its secret. */
  async create(webhook: Omit<Webhook, "created_at">): Promise<Outcome<CreatedWebhook>> {
    const { current } = await this.signingKeys();
    if (!current) return fail("unavailable", "webhooks are not configured: set the WEBHOOK_SIGNING_KEY secret", { retryable: true });
    const keyId = await keyIdOf(current);
    this.schema.ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO endpoint (id, webhook_id, url, events, description, nonce, created_at_ms, key_id)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      webhook.id,
      webhook.url,
      JSON.stringify(webhook.events),
      webhook.description,
      newNonce(),
      clock.now(),
      keyId,
    );
    return this.reveal();
  }

  /** The subscription with its secret: for its creation, and a replay of it under the same key within 24 h. */
  async reveal(): Promise<Outcome<CreatedWebhook>> {
    const row = this.endpoint();
    if (!row) return notFound();
    const [secret] = await this.secretsOf(row);
    return succeed({ ...viewOf(row), secret: secret! });
  }

  /** Stops every delivery, now and later, and frees all the subscription's storage. */
  async remove(): Promise<Outcome<Webhook>> {
    const row = this.endpoint();
    if (!row) return notFound();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.schema.forget();
    return succeed(viewOf(row));
  }

  /**
   * Takes events for delivery (those this subscription wants; pings always), ignoring any seen before. Past
   * `MAX_PENDING_DELIVERIES` waiting, an event is recorded `failed` untried.
   */
  async enqueue(events: readonly WebhookEvent[]): Promise<Outcome<{ accepted: number }>> {
    const row = this.endpoint();
    if (!row) return succeed({ accepted: 0 });
    const wanted = new Set<string>(JSON.parse(row.events));
    const now = clock.now();
    const sql = this.ctx.storage.sql;
    let accepted = 0;
    this.ctx.storage.transactionSync(() => {
      let pending = sql.exec<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'").one().n;
      for (const event of events) {
        if (event.type !== "ping" && !wanted.has(event.type)) continue;
        const full = pending >= MAX_PENDING_DELIVERIES;
        const written = sql.exec(
          `INSERT INTO deliveries (event_id, type, body, status, attempts, last_error, next_attempt_at_ms, created_at_ms)
           VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
          event.id,
          event.type,
          JSON.stringify(event),
          full ? "failed" : "pending",
          full ? BACKLOG_FULL : null,
          full ? null : now,
          now,
        ).rowsWritten;
        if (written > 0 && !full) {
          pending += 1;
          accepted += 1;
        }
      }
      this.pruneSettled(now, events.length);
    });
    if (accepted > 0) await this.sendSoon(now);
    return succeed({ accepted });
  }

  /** A failed or pending delivery tried again now; its attempts go on counting. */
  async retry(eventId: string): Promise<Outcome<{ event_id: string }>> {
    if (!this.endpoint()) return notFound();
    const delivery = this.ctx.storage.sql
      .exec<{ status: DeliveryStatus }>("SELECT status FROM deliveries WHERE event_id = ?", eventId)
      .toArray()[0];
    if (!delivery) return fail("not_found", `no delivery of event ${eventId}`);
    if (delivery.status === "delivered") return fail("conflict", `event ${eventId} was already delivered`);
    const now = clock.now();
    this.ctx.storage.sql.exec(
      "UPDATE deliveries SET status = 'pending', next_attempt_at_ms = ? WHERE event_id = ?",
      now,
      eventId,
    );
    await this.sendSoon(now);
    return succeed({ event_id: eventId });
  }

  /**
   * Starts a round now. The alarm is the safety net if this object is evicted before the round ends; it only
   * ever moves earlier here, so a retry already due sooner keeps its time.
   */
  private async sendSoon(now: number): Promise<void> {
    const safetyNet = now + DELIVERY_TIMEOUT_MS * 2;
    const armed = await this.ctx.storage.getAlarm();
    if (armed === null || armed > safetyNet) await this.ctx.storage.setAlarm(safetyNet);
    this.ctx.waitUntil(this.deliverDue());
  }

  /** Sends a `ping` event (it bypasses the subscription's event types). */
  async ping(event: WebhookEvent): Promise<Outcome<{ event_id: string }>> {
    if (!this.endpoint()) return notFound();
    await this.enqueue([event]);
    return succeed({ event_id: event.id });
  }

  /** Deliveries newest first, `after` an opaque cursor from a previous page. */
  async deliveries(after: number | null, limit: number, status: DeliveryStatus | null): Promise<Outcome<DeliveriesPage>> {
    if (!this.endpoint()) return notFound();
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

  /** Deliveries still to be made and those given up on, for health (both counted on the status index). */
  async backlog(): Promise<{ pending: number; failed: number }> {
    if (!this.schema.exists) return { pending: 0, failed: 0 };
    const count = (status: DeliveryStatus) =>
      this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE status = ?", status).one().n;
    return { pending: count("pending"), failed: count("failed") };
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
      if (!row) return;
      const due = this.ctx.storage.sql
        .exec<DeliveryRow>(
          `SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, n LIMIT ?`,
          clock.now(),
          SENDS_AT_ONCE,
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
      const headers = signedHeaders(await this.secretsOf(endpoint), delivery.event_id, new Date(), delivery.body);
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
    // Deleted while this attempt was out: nothing is left to record it in.
    if (!this.endpoint()) return;
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
    if (after.status === "failed") logEvent("warn", "delivery_given_up", { webhook: endpoint.webhook_id, event_id: delivery.event_id, attempt: attempts });
  }

  /**
   * Deletes the oldest settled deliveries (with their attempts) that are past the retention or older than the
   * newest `MAX_KEPT_DELIVERIES`: at most `PRUNE_AT_LEAST` + 2 × `added` a call, oldest first, so pruning keeps
   * pace with what comes in.
   */
  private pruneSettled(nowMs: number, added: number): void {
    const sql = this.ctx.storage.sql;
    const newest = sql.exec<{ n: number | null }>("SELECT max(n) AS n FROM deliveries").one().n ?? 0;
    const expired = (row: { n: number; created_at_ms: number }) =>
      row.n <= newest - MAX_KEPT_DELIVERIES || row.created_at_ms < nowMs - DELIVERY_RETENTION_MS;
    let budget = PRUNE_AT_LEAST + 2 * added;
    for (const status of ["failed", "delivered"] as const) {
      const oldest = sql
        .exec<{ n: number; event_id: string; created_at_ms: number }>(
          "SELECT n, event_id, created_at_ms FROM deliveries WHERE status = ? ORDER BY n LIMIT ?",
          status,
          budget,
        )
        .toArray();
      for (const row of oldest) {
        if (!expired(row)) break;
        sql.exec("DELETE FROM attempts WHERE event_id = ?", row.event_id);
        sql.exec("DELETE FROM deliveries WHERE n = ?", row.n);
        budget -= 1;
      }
    }
  }

  /** The secrets to sign with: the one of the key this webhook was made with (every key's, before key ids). */
  private async secretsOf(row: EndpointRow): Promise<string[]> {
    const { byId } = await this.signingKeys();
    const ids = row.key_id === null ? [...byId.keys()] : [row.key_id];
    const secrets: string[] = [];
    for (const id of ids) {
      const key = byId.get(id);
      if (key === undefined) continue;
      let secret = this.secrets.get(id);
      if (!secret) this.secrets.set(id, (secret = deriveSecret(key, row.webhook_id, row.nonce)));
      secrets.push(await secret);
    }
    if (secrets.length === 0) {
      throw new Error(`the signing key of this webhook (${row.key_id ?? "any"}) is retired: configure it again, or recreate the webhook`);
    }
    return secrets;
  }

  /** Read from the secrets each time, so a rotation needs no restart of this object. */
  private signingKeys(): Promise<SigningKeys> {
    const current = this.env.WEBHOOK_SIGNING_KEY;
    const previous = this.env.WEBHOOK_SIGNING_KEYS_PREVIOUS;
    const source = `${current ?? ""}\n${previous ?? ""}`;
    if (this.keys?.source !== source) this.keys = { source, keys: signingKeys(current, previous) };
    return this.keys.keys;
  }

  private endpoint(): EndpointRow | null {
    if (!this.schema.exists) return null;
    const row = this.ctx.storage.sql.exec<EndpointRow>("SELECT * FROM endpoint").toArray()[0];
    return row && row.deleted_at_ms === null ? row : null;
  }
}
