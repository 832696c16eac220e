/**
 * Webhook subscriptions (contract v1.1, admin scope). Each lives in its own WebhookEndpoint object, which
 * holds its deliveries; D1's `webhooks` table lists them for the console and for the fan-out, and keeps the
 * Idempotency-Key each was created with for 24 h. The object is written first and D1 second, so a
 * subscription is never listed without the object that delivers to it; D1 decides the 100-subscription cap
 * and a race between two creates under one key in one statement.
 */
import {
  fail,
  isoInstant,
  succeed,
  unavailable,
  type CreatedWebhook,
  type DeliveriesPage,
  type IdempotencyToken,
  type Outcome,
  type Webhook,
} from "../../durable-objects/domain/contract";
import type { StockEventType } from "../../durable-objects/domain/stock-events";
import { attempt, describeError, webhookAt } from "../../durable-objects/shared/calls";
import { clock } from "../../durable-objects/shared/clock";
import type { Env } from "../env";
import { destinationRefusal } from "./destination";

export interface CreateWebhookInput {
  url: string;
  events: StockEventType[];
  description?: string | undefined;
}

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  description: string | null;
  created_at: string;
}

/** The listed columns: never the idempotency key or fingerprint. */
const WEBHOOK_COLUMNS = "id, url, events, description, created_at";

/** At most this many subscriptions (API.md v1.2); a 101st is a 409 `conflict`. */
export const MAX_WEBHOOKS = 100;

/** An Idempotency-Key of POST /v1/webhooks replays its first answer for this long, like every other key. */
const KEY_LIFETIME_MS = 24 * 3_600_000;

const rowToWebhook = (row: WebhookRow): Webhook => ({ ...row, events: JSON.parse(row.events) });

const newWebhookId = () => `wh_${crypto.randomUUID().replaceAll("-", "")}`;

/** A create under this key within 24 h: its answer again (same id and secret), or a conflict for another body. */
async function replayOf(env: Env, idempotency: IdempotencyToken): Promise<Outcome<CreatedWebhook> | null> {
  let row: { id: string; fingerprint: string } | null;
  try {
    row = await env.DB.prepare("SELECT id, fingerprint FROM webhooks WHERE idempotency_key = ? AND created_at > ?")
      .bind(idempotency.key, isoInstant(clock.now() - KEY_LIFETIME_MS))
      .first<{ id: string; fingerprint: string }>();
  } catch (err) {
    console.error(`looking up the Idempotency-Key of a webhook in D1 failed: ${describeError(err)}`);
    return unavailable();
  }
  if (!row) return null;
  if (row.fingerprint !== idempotency.fingerprint) {
    return fail("idempotency_conflict", "this Idempotency-Key was used with a different request");
  }
  const revealed = await attempt(`revealing webhook ${row.id}`, () => webhookAt(env, row.id).reveal());
  return revealed.ok ? { ...revealed, created: true } : revealed;
}

export async function createWebhook(
  env: Env,
  input: CreateWebhookInput,
  idempotency: IdempotencyToken | null,
): Promise<Outcome<CreatedWebhook>> {
  const refused = destinationRefusal(input.url, env.ALLOW_INSECURE_WEBHOOKS === "true");
  if (refused) return fail("invalid_request", `url: ${refused}`, { issues: [{ path: "url", message: refused }] });
  if (idempotency) {
    const replay = await replayOf(env, idempotency);
    if (replay) return replay;
  }
  const id = newWebhookId();
  const created = await attempt(`creating webhook ${id}`, () =>
    webhookAt(env, id).create({ id, url: input.url, events: input.events, description: input.description ?? null }),
  );
  if (!created.ok) return created;
  const webhook = created.value;
  let listed: boolean;
  try {
    const [, insert] = await env.DB.batch([
      // A key used more than 24 h ago is free again.
      env.DB.prepare("UPDATE webhooks SET idempotency_key = NULL, fingerprint = NULL WHERE idempotency_key = ? AND created_at <= ?").bind(
        idempotency?.key ?? null,
        isoInstant(clock.now() - KEY_LIFETIME_MS),
      ),
      env.DB.prepare(
        `INSERT INTO webhooks (id, url, events, description, created_at, idempotency_key, fingerprint)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM webhooks) < ? ON CONFLICT DO NOTHING`,
      ).bind(
        webhook.id,
        webhook.url,
        JSON.stringify(webhook.events),
        webhook.description,
        webhook.created_at,
        idempotency?.key ?? null,
        idempotency?.fingerprint ?? null,
        MAX_WEBHOOKS,
      ),
    ]);
    listed = insert!.meta.changes === 1;
  } catch (err) {
    console.error(`listing webhook ${id} in D1 failed: ${describeError(err)}`);
    await attempt(`removing unlisted webhook ${id}`, () => webhookAt(env, id).remove());
    return unavailable();
  }
  if (listed) return { ok: true, value: webhook, created: true };
  await attempt(`removing unlisted webhook ${id}`, () => webhookAt(env, id).remove());
  // A concurrent create under the same key was listed first: answer what it made.
  const replay = idempotency ? await replayOf(env, idempotency) : null;
  return replay ?? fail("conflict", `at most ${MAX_WEBHOOKS} webhooks: delete one first`, { limit: MAX_WEBHOOKS });
}

export async function listWebhooks(env: Env, after: string | undefined, limit: number) {
  const { results } = await env.DB.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id > ? ORDER BY id LIMIT ?`)
    .bind(after ?? "", limit + 1)
    .all<WebhookRow>();
  const items = results.slice(0, limit).map(rowToWebhook);
  return { items, next_after: results.length > limit ? items[items.length - 1]!.id : null };
}

export async function getWebhook(env: Env, id: string): Promise<Outcome<Webhook>> {
  const row = await env.DB.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`).bind(id).first<WebhookRow>();
  return row ? succeed(rowToWebhook(row)) : fail("not_found", `no webhook ${id}`);
}

/** Deliveries stop at once (the object is told first); the listing goes second. */
export async function deleteWebhook(env: Env, id: string): Promise<Outcome<Webhook>> {
  const listed = await getWebhook(env, id);
  const removed = await attempt(`deleting webhook ${id}`, () => webhookAt(env, id).remove());
  if (!removed.ok && removed.error.code !== "not_found") return removed;
  if (!listed.ok) return removed.ok ? removed : listed;
  await env.DB.prepare("DELETE FROM webhooks WHERE id = ?").bind(id).run();
  return listed;
}

export function listDeliveries(
  env: Env,
  id: string,
  query: { after?: number | undefined; limit: number; status?: "pending" | "delivered" | "failed" | undefined },
): Promise<Outcome<DeliveriesPage>> {
  return attempt(`listing deliveries of ${id}`, () =>
    webhookAt(env, id).deliveries(query.after ?? null, query.limit, query.status ?? null),
  );
}

export function pingWebhook(env: Env, id: string): Promise<Outcome<{ event_id: string }>> {
  const event = { id: `ping:${crypto.randomUUID()}`, type: "ping" as const, webhook_id: id, at: isoInstant(clock.now()) };
  return attempt(`pinging webhook ${id}`, () => webhookAt(env, id).ping(event));
}

export function retryDelivery(env: Env, id: string, eventId: string): Promise<Outcome<{ event_id: string }>> {
  return attempt(`retrying ${eventId} for webhook ${id}`, () => webhookAt(env, id).retry(eventId));
}
