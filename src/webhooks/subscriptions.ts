/**
 * Webhook subscriptions (contract v1.1, admin scope). Each lives in its own WebhookEndpoint object, which
 * holds its deliveries; D1's `webhooks` table lists them for the console and for the fan-out. The object is
 * written first and D1 second, so a subscription is never listed without the object that delivers to it.
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
import { sha256Hex } from "../fingerprint";

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

const rowToWebhook = (row: WebhookRow): Webhook => ({ ...row, events: JSON.parse(row.events) });

/** http:// only for this machine, and only where the deployment says so (local development). */
function insecureUrlRefused(env: Env, url: string): string | null {
  const { protocol, hostname } = new URL(url);
  if (protocol === "https:") return null;
  if (env.ALLOW_INSECURE_WEBHOOKS === "true" && ["127.0.0.1", "localhost"].includes(hostname)) return null;
  return env.ALLOW_INSECURE_WEBHOOKS === "true"
    ? "must be https://, or http:// to 127.0.0.1 or localhost"
    : "must be https:// (http:// is allowed only for 127.0.0.1 and localhost when ALLOW_INSECURE_WEBHOOKS=true)";
}

/**
 * A new webhook id: random, or, with an Idempotency-Key, derived from it, so a retried POST reaches the
 * same object and answers the same webhook (with the same secret, which is derived, never stored).
 */
async function webhookIdFor(idempotency: IdempotencyToken | null): Promise<string> {
  if (!idempotency) return `wh_${crypto.randomUUID().replaceAll("-", "")}`;
  return `wh_${(await sha256Hex(`webhook:${idempotency.key}`)).slice(0, 32)}`;
}

export async function createWebhook(
  env: Env,
  input: CreateWebhookInput,
  idempotency: IdempotencyToken | null,
): Promise<Outcome<CreatedWebhook>> {
  const refused = insecureUrlRefused(env, input.url);
  if (refused) return fail("invalid_request", `url: ${refused}`, { issues: [{ path: "url", message: refused }] });
  const id = await webhookIdFor(idempotency);
  const created = await attempt(`creating webhook ${id}`, () =>
    webhookAt(env, id).create(
      { id, url: input.url, events: input.events, description: input.description ?? null },
      idempotency?.fingerprint ?? null,
    ),
  );
  if (!created.ok) return created;
  const webhook = created.value;
  try {
    await env.DB.prepare(
      "INSERT INTO webhooks (id, url, events, description, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
      .bind(webhook.id, webhook.url, JSON.stringify(webhook.events), webhook.description, webhook.created_at)
      .run();
  } catch (err) {
    console.error(`listing webhook ${id} in D1 failed: ${describeError(err)}`);
    await attempt(`removing unlisted webhook ${id}`, () => webhookAt(env, id).remove());
    return unavailable();
  }
  return { ok: true, value: webhook, created: true };
}

export async function listWebhooks(env: Env, after: string | undefined, limit: number) {
  const { results } = await env.DB.prepare("SELECT * FROM webhooks WHERE id > ? ORDER BY id LIMIT ?")
    .bind(after ?? "", limit + 1)
    .all<WebhookRow>();
  const items = results.slice(0, limit).map(rowToWebhook);
  return { items, next_after: results.length > limit ? items[items.length - 1]!.id : null };
}

export async function getWebhook(env: Env, id: string): Promise<Outcome<Webhook>> {
  const row = await env.DB.prepare("SELECT * FROM webhooks WHERE id = ?").bind(id).first<WebhookRow>();
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
