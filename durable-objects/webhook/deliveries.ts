/**
 * A webhook subscription's stored rows and their limits, and how the object words them: what an endpoint
 * is sent, how many deliveries it keeps and tries at once, and the views of a subscription and a delivery.
 */
import { fail, isoInstant, type Webhook, type WebhookDelivery } from "../domain/contract";
import type { StockEvent } from "../domain/stock-events";
import type { DeliveryStatus } from "../domain/delivery-policy";

/** What an endpoint is sent: a stock event, or a ping. Its `id` is the delivery's `webhook-id`. */
export type WebhookEvent = StockEvent | PingEvent;

export interface PingEvent {
  id: string;
  type: "ping";
  webhook_id: string;
  at: string;
}

export interface EndpointRow {
  webhook_id: string;
  url: string;
  events: string;
  description: string | null;
  nonce: string;
  created_at_ms: number;
  /** Set by versions that kept a deleted subscription's row; today a deletion frees all its storage. */
  deleted_at_ms: number | null;
  key_id: string | null;
  [column: string]: SqlStorageValue;
}

export interface DeliveryRow {
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

/**
 * Deliveries sent at once. An object has six connections open at a time; more would wait for one with
 * their 10 s already running, and could time out unsent.
 */
export const SENDS_AT_ONCE = 6;

/** Delivered and failed deliveries (and their attempts) are kept this long, then pruned as new ones come. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;
/**
 * At most this many deliveries wait at once: past it (an endpoint that hangs while events keep coming) a new
 * event is recorded `failed` untried, so storage stays bounded; `retry` can still send it.
 */
export const MAX_PENDING_DELIVERIES = 10_000;
/** Settled deliveries older than the newest this many are pruned even within their 30 days. */
export const MAX_KEPT_DELIVERIES = 20_000;
/** Settled deliveries pruned per enqueue: at least this, and twice what it adds, so pruning keeps pace. */
export const PRUNE_AT_LEAST = 100;
export const BACKLOG_FULL = `not tried: ${MAX_PENDING_DELIVERIES} deliveries were already pending`;

export const notFound = () => fail("not_found", "no such webhook");

export const viewOf = (row: EndpointRow): Webhook => ({
  id: row.webhook_id,
  url: row.url,
  events: JSON.parse(row.events),
  description: row.description,
  created_at: isoInstant(row.created_at_ms),
});

export const deliveryView = (row: DeliveryRow): WebhookDelivery => ({
  event_id: row.event_id,
  type: row.type,
  status: row.status,
  attempts: row.attempts,
  last_status_code: row.last_status_code,
  last_error: row.last_error,
  next_attempt_at: row.next_attempt_at_ms === null ? null : isoInstant(row.next_attempt_at_ms),
  delivered_at: row.delivered_at_ms === null ? null : isoInstant(row.delivered_at_ms),
});
