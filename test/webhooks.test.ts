// Stock events end to end: each SKU's object → the real local queue → the Worker's consumer → one object
// per subscription → real HTTP endpoints (test/setup/webhook-receivers.ts, which run the README's example
// receiver). Runs in a runtime of its own: a subscription hears every SKU's events.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { RETRY_DELAYS_MS } from "../durable-objects/domain/delivery-policy";
import { advanceClock } from "../durable-objects/shared/clock";
import { EVENTS_MESSAGE_BYTES } from "../durable-objects/product-stock/event-outbox";
import { sha256Hex } from "../durable-objects/shared/digest";
import { deriveSecret } from "../durable-objects/webhook/signing";
import {
  BACKLOG_FULL,
  DELIVERY_RETENTION_MS,
  MAX_PENDING_DELIVERIES,
} from "../durable-objects/webhook/deliveries";
import { createWebhook } from "../src/webhooks/subscriptions";
import { ADMIN_TOKEN, api, capturingConsole, productStub, receive, uniqueSku, WRITE_TOKEN } from "./helpers";

const ALL_TYPES = ["stock.out_of_stock", "stock.back_in_stock", "stock.low", "stock.changed"];

interface InboxAttempt {
  headers: Record<string, string>;
  body: string;
  answered: number;
}
interface Inbox {
  attempts: InboxAttempt[];
  events: Array<{ event: any; stale: boolean }>;
}

let inboxes = 0;
const created: string[] = [];

/** A receiver endpoint and a webhook subscribed to it; `behaviour` may fail or stall attempts. */
async function subscribe(events: string[], behaviour: { fail_first?: number; status?: number; delay_ms?: number } = {}) {
  inboxes += 1;
  const url = `${env.WEBHOOK_RECEIVERS}/inboxes/inbox-${inboxes}-${Date.now()}`;
  const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: { url, events } });
  expect(res.status).toBe(201);
  created.push(res.body.id);
  await fetch(url, { method: "PUT", body: JSON.stringify({ secret: res.body.secret, ...behaviour }) });
  return { webhook: res.body as { id: string; secret: string; url: string }, url };
}

async function inbox(url: string): Promise<Inbox> {
  return (await fetch(url)).json();
}

/** Polls until `done` holds of the inbox (the queue batches for up to a second). */
async function inboxWhen(url: string, done: (inbox: Inbox) => boolean, timeoutMs = 10_000): Promise<Inbox> {
  const start = Date.now();
  for (;;) {
    const seen = await inbox(url);
    if (done(seen)) return seen;
    if (Date.now() - start > timeoutMs) throw new Error(`inbox not as expected after ${timeoutMs} ms: ${JSON.stringify(seen).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ofSku = (sku: string) => (box: Inbox) => box.events.map((e) => e.event).filter((e) => e.sku === sku);
const attemptsOf = (box: Inbox, eventId: string) => box.attempts.filter((a) => a.headers["webhook-id"] === eventId);
const endpointStub = (id: string) => env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(id));

async function deliveries(id: string, query = "") {
  const res = await api("GET", `/v1/webhooks/${id}/deliveries${query}`, { token: ADMIN_TOKEN });
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

/** Waits until the endpoint object has recorded what it is trying now. */
async function settled(id: string) {
  await endpointStub(id).settle();
}

/**
 * From now on `sku`'s events wait unsent until `flushEvents`, and each message goes through `send`, which may
 * pass it on to the real queue with `forward`.
 */
async function interceptEvents(sku: string, send: (body: unknown[], forward: (body: unknown[]) => Promise<unknown>) => Promise<unknown>) {
  await runInDurableObject(productStub(sku), (instance: unknown) => {
    const outbox = (instance as { stores: { events: { queue: Queue } } }).stores.events;
    const real = outbox.queue;
    outbox.queue = { ...real, send: (body: unknown[], options?: QueueSendOptions) => send(body, (b) => real.send(b, options)) } as unknown as Queue;
    (instance as { commands: { sendOutboxes(): void } }).commands.sendOutboxes = () => {};
  });
}

afterEach(async () => {
  // A subscription left behind would keep receiving the next tests' events.
  for (const id of created.splice(0)) await api("DELETE", `/v1/webhooks/${id}`, { token: ADMIN_TOKEN });
});

describe("webhook subscriptions", () => {
  it("shows the secret once, lists without it, and stops deliveries on DELETE", async () => {
    const res = await api("POST", "/v1/webhooks", {
      token: ADMIN_TOKEN,
      body: { url: "https://hooks.invalid/stock", events: ["stock.out_of_stock"], description: "warehouse" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{32}$/),
      url: "https://hooks.invalid/stock",
      events: ["stock.out_of_stock"],
      description: "warehouse",
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      created_at: expect.any(String),
    });
    const { secret, ...listed } = res.body;
    expect((await api("GET", `/v1/webhooks/${listed.id}`, { token: ADMIN_TOKEN })).body).toEqual(listed);
    const all = await api("GET", "/v1/webhooks?limit=1000", { token: ADMIN_TOKEN });
    expect(all.body.items).toContainEqual(listed);
    expect(JSON.stringify(all.body)).not.toContain(secret);
    // Neither D1 nor the object's storage holds the secret: it is derived when needed.
    const stored = await env.DB.prepare("SELECT * FROM webhooks WHERE id = ?").bind(listed.id).first();
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    await runInDurableObject(endpointStub(listed.id), (_instance, state) => {
      const dump = state.storage.sql.exec("SELECT * FROM endpoint").toArray();
      expect(JSON.stringify(dump)).not.toContain(secret.slice(6));
    });

    expect((await api("DELETE", `/v1/webhooks/${listed.id}`, { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await api("GET", `/v1/webhooks/${listed.id}`, { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await api("GET", `/v1/webhooks/${listed.id}/deliveries`, { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await api("POST", `/v1/webhooks/${listed.id}/ping`, { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await api("DELETE", `/v1/webhooks/${listed.id}`, { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it("needs the admin scope", async () => {
    const body = { url: "https://hooks.invalid/x", events: ["stock.changed"] };
    expect((await api("POST", "/v1/webhooks", { token: WRITE_TOKEN, body })).body.error.code).toBe("forbidden");
    expect((await api("GET", "/v1/webhooks", { token: WRITE_TOKEN })).status).toBe(403);
  });

  it("answers a retried keyed POST with the same webhook and secret, and refuses the key with another body", async () => {
    const key = `key-${uniqueSku()}`;
    const body = { url: "https://hooks.invalid/keyed", events: ["stock.low"] };
    const first = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body, headers: { "idempotency-key": key } });
    const again = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body, headers: { "idempotency-key": key } });
    created.push(first.body.id);
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await api("POST", "/v1/webhooks", {
      token: ADMIN_TOKEN,
      body: { ...body, events: ["stock.changed"] },
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
  });

  it.each([
    ["an http:// URL outside localhost", { url: "http://hooks.invalid/x", events: ["stock.low"] }, "url"],
    ["a URL that is not one", { url: "not a url", events: ["stock.low"] }, "url"],
    ["a URL over 2,048 characters", { url: `https://hooks.invalid/${"a".repeat(2048)}`, events: ["stock.low"] }, "url"],
    ["an unknown event type", { url: "https://hooks.invalid/x", events: ["stock.sold"] }, "events.0"],
    ["empty events", { url: "https://hooks.invalid/x", events: [] }, "events"],
    ["a repeated event type", { url: "https://hooks.invalid/x", events: ["stock.low", "stock.low"] }, "events"],
    ["an unknown field", { url: "https://hooks.invalid/x", events: ["stock.low"], secret: "mine" }, "secret"],
  ])("refuses %s with a 400 naming the field, and creates nothing", async (_case, body, path) => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM webhooks").first<{ n: number }>();
    const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhooks").first()).toEqual(before);
  });

  it("allows http:// to 127.0.0.1 and localhost only (here, where ALLOW_INSECURE_WEBHOOKS=true)", async () => {
    for (const url of ["http://127.0.0.1:9/x", "http://localhost:9/x"]) {
      const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: { url, events: ["stock.low"] } });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
  });
});

describe("deliveries", () => {
  it("delivers each event once, signed per Standard Webhooks, with the contract's fields", async () => {
    const { webhook, url } = await subscribe(ALL_TYPES);
    const sku = uniqueSku("EVT");
    await api("PUT", `/v1/products/${sku}/settings`, { body: { low_stock_threshold: 2 } });
    await receive(sku, 3);
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "damaged" } });
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -2, reason: "damaged" } });

    const box = await inboxWhen(url, (b) => ofSku(sku)(b).length === 6);
    expect(ofSku(sku)(box).map((e) => e.id).sort()).toEqual(
      [
        `${sku}:1:stock.back_in_stock`,
        `${sku}:1:stock.changed`,
        `${sku}:2:stock.low`,
        `${sku}:2:stock.changed`,
        `${sku}:3:stock.out_of_stock`,
        `${sku}:3:stock.changed`,
      ].sort(),
    );
    const low = ofSku(sku)(box).find((e) => e.type === "stock.low");
    expect(low).toEqual({
      id: `${sku}:2:stock.low`,
      type: "stock.low",
      sku,
      seq: 2,
      at: low.move.at,
      stock: { sku, on_hand: 2, reserved: 0, committed: 0, available: 2, version: 2, updated_at: low.move.at },
      low_stock_threshold: 2,
      move: expect.objectContaining({ sku, seq: 2, type: "adjusted", quantity: -1, available: 2, reason: "damaged" }),
    });
    // Every attempt verifies with the reference Standard Webhooks library, inside the Worker runtime too.
    for (const attempt of box.attempts.filter((a) => JSON.parse(a.body).sku === sku)) {
      expect(new Webhook(webhook.secret).verify(attempt.body, attempt.headers)).toEqual(JSON.parse(attempt.body));
      expect(attempt.headers["webhook-id"]).toBe(JSON.parse(attempt.body).id);
      expect(attempt.headers["content-type"]).toBe("application/json");
    }
    expect(() => new Webhook(`whsec_${btoa("another secret that is 32 bytes!")}`).verify(box.attempts[0]!.body, box.attempts[0]!.headers)).toThrow();

    await settled(webhook.id);
    const items = (await deliveries(webhook.id, "?limit=1000")).filter((d) => d.event_id.startsWith(`${sku}:`));
    expect(items).toHaveLength(6);
    for (const d of items) {
      expect(d).toMatchObject({ status: "delivered", attempts: 1, last_status_code: 204, last_error: null, next_attempt_at: null });
      expect(d.delivered_at).toEqual(expect.any(String));
    }
  });

  it("sends only the types a webhook subscribed to", async () => {
    const outOnly = await subscribe(["stock.out_of_stock"]);
    const changed = await subscribe(["stock.changed"]);
    const sku = uniqueSku("ONLY");
    await receive(sku, 1);
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "lost" } });
    await inboxWhen(changed.url, (b) => ofSku(sku)(b).length === 2);
    const box = await inboxWhen(outOnly.url, (b) => ofSku(sku)(b).length === 1);
    expect(ofSku(sku)(box).map((e) => e.type)).toEqual(["stock.out_of_stock"]);
  });

  it("retries a receiver that answers 500 twice, then records it delivered with 3 attempts", async () => {
    const { webhook, url } = await subscribe(["stock.out_of_stock"], { fail_first: 2 });
    const sku = uniqueSku("RETRY");
    await receive(sku, 1);
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "lost" } });
    const eventId = `${sku}:2:stock.out_of_stock`;

    await inboxWhen(url, (b) => attemptsOf(b, eventId).length === 1);
    await settled(webhook.id);
    let [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ event_id: eventId, status: "pending", attempts: 1, last_status_code: 500, last_error: "answered 500" });
    expect(Date.parse(delivery.next_attempt_at) - Date.now()).toBeGreaterThan(3_000);

    advanceClock(RETRY_DELAYS_MS[0]!);
    expect(await runDurableObjectAlarm(endpointStub(webhook.id))).toBe(true);
    [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 2, last_status_code: 500 });

    advanceClock(RETRY_DELAYS_MS[1]!);
    expect(await runDurableObjectAlarm(endpointStub(webhook.id))).toBe(true);
    [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, last_status_code: 204, last_error: null, next_attempt_at: null });

    const box = await inbox(url);
    expect(attemptsOf(box, eventId).map((a) => a.answered)).toEqual([500, 500, 204]);
    expect(ofSku(sku)(box)).toHaveLength(1);
    // Nothing left to try: the alarm is not armed again.
    expect(await runDurableObjectAlarm(endpointStub(webhook.id))).toBe(false);
  });

  it("keeps trying for more than 24 hours, then marks the delivery failed", async () => {
    const { webhook, url } = await subscribe(["stock.back_in_stock"], { status: 503 });
    const sku = uniqueSku("DOWN");
    const { lines } = await capturingConsole("warn", async () => {
      await receive(sku, 1);
      await inboxWhen(url, (b) => b.attempts.length === 1);
      await settled(webhook.id);
      let elapsed = 0;
      for (const delay of RETRY_DELAYS_MS) {
        advanceClock(delay);
        elapsed += delay;
        expect(await runDurableObjectAlarm(endpointStub(webhook.id))).toBe(true);
      }
      expect(elapsed).toBeGreaterThan(24 * 3_600_000);
    });
    const [delivery] = await deliveries(webhook.id, "?status=failed");
    expect(delivery).toMatchObject({ event_id: `${sku}:1:stock.back_in_stock`, status: "failed", attempts: 8, last_status_code: 503, next_attempt_at: null });
    expect(await deliveries(webhook.id, "?status=pending")).toEqual([]);
    expect((await inbox(url)).attempts).toHaveLength(8);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ event: "delivery_given_up", webhook: webhook.id, event_id: `${sku}:1:stock.back_in_stock`, attempt: 8 }]);
  });

  it("never lets a slow or failing endpoint hold back another", async () => {
    const slow = await subscribe(["stock.changed"], { delay_ms: 3_000 });
    const failing = await subscribe(["stock.changed"], { status: 500 });
    const healthy = await subscribe(["stock.changed"]);
    const sku = uniqueSku("ISOLATE");
    await receive(sku, 5);

    await inboxWhen(healthy.url, (b) => ofSku(sku)(b).length === 1);
    // The healthy endpoint has its event while the slow one is still waiting for its answer.
    expect((await inbox(slow.url)).attempts).toHaveLength(0);
    await inboxWhen(failing.url, (b) => b.attempts.length >= 1);
    await inboxWhen(slow.url, (b) => ofSku(sku)(b).length === 1);
  });

  it("gives up on an attempt that has no answer in 10 s, records why, and tries again later", async () => {
    const { webhook } = await subscribe(["stock.back_in_stock"], { delay_ms: 15_000 });
    const sku = uniqueSku("SILENT");
    await receive(sku, 1);
    await expect.poll(() => deliveries(webhook.id), { timeout: 5_000 }).toHaveLength(1);
    // The round in progress ends when the attempt does: at the timeout, since the endpoint answers after 15 s.
    await settled(webhook.id);
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({
      event_id: `${sku}:1:stock.back_in_stock`,
      status: "pending",
      attempts: 1,
      last_status_code: null,
      last_error: "no answer in 10 s",
    });
    expect(Date.parse(delivery.next_attempt_at)).toBeGreaterThan(Date.now());
  }, 30_000);

  it("keeps settled deliveries for 30 days, then prunes them as new ones come", async () => {
    const { webhook, url } = await subscribe(["stock.back_in_stock"]);
    const [first, second] = [uniqueSku("OLD"), uniqueSku("NEW")];
    await receive(first, 1);
    await inboxWhen(url, (b) => ofSku(first)(b).length === 1);
    await settled(webhook.id);
    advanceClock(DELIVERY_RETENTION_MS + 60_000);
    await receive(second, 1);
    await inboxWhen(url, (b) => ofSku(second)(b).length === 1);
    await settled(webhook.id);
    expect((await deliveries(webhook.id)).map((d) => d.event_id)).toEqual([`${second}:1:stock.back_in_stock`]);
    await runInDurableObject(endpointStub(webhook.id), (_instance, state) => {
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM attempts WHERE event_id LIKE ?", `${first}:%`).one().n).toBe(0);
    });
  });

  it("sends a ping on request", async () => {
    const { webhook, url } = await subscribe(["stock.low"]);
    const res = await api("POST", `/v1/webhooks/${webhook.id}/ping`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(202);
    expect(res.body.event_id).toMatch(/^ping:/);
    const box = await inboxWhen(url, (b) => b.events.length === 1);
    expect(box.events[0]!.event).toMatchObject({ id: res.body.event_id, type: "ping", webhook_id: webhook.id });
  });
});

describe("stock events after failures", () => {
  it("loses nothing when the queue send fails after the move: the alarm sends it, even after an eviction", async () => {
    const { url } = await subscribe(ALL_TYPES);
    const sku = uniqueSku("CRASH");
    await receive(sku, 2);
    await inboxWhen(url, (b) => ofSku(sku)(b).length === 2);

    // The queue refuses everything this instance sends: the moves commit, their events wait in the ledger.
    await runInDurableObject(productStub(sku), (instance: unknown) => {
      const outbox = (instance as { stores: { events: { queue: Pick<Queue, "send" | "sendBatch"> } } }).stores.events;
      const refuse = () => Promise.reject(new Error("queue unavailable"));
      outbox.queue = { send: refuse, sendBatch: refuse };
    });
    const { lines } = await capturingConsole("warn", async () => {
      await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -2, reason: "lost" } });
      await productStub(sku).flushEvents();
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "events_retry", sku, attempt: 1, retry_in_ms: 500 });
    expect(await productStub(sku).pendingEvents()).toBe(1);

    // The object is evicted before its retry: what it had not sent is still in its ledger.
    await evictDurableObject(productStub(sku));
    expect(await runDurableObjectAlarm(productStub(sku))).toBe(true);
    expect(await productStub(sku).pendingEvents()).toBe(0);
    const box = await inboxWhen(url, (b) => ofSku(sku)(b).length === 4);
    expect(ofSku(sku)(box).map((e) => e.id).sort()).toEqual(
      [`${sku}:1:stock.back_in_stock`, `${sku}:1:stock.changed`, `${sku}:2:stock.changed`, `${sku}:2:stock.out_of_stock`].sort(),
    );
  });

  it("sends a repeat with the same ids when the watermark was lost after a send, and nothing is delivered twice", async () => {
    const { webhook, url } = await subscribe(["stock.changed"]);
    const sku = uniqueSku("RESEND");
    await receive(sku, 2);
    await receive(sku, 3);
    await inboxWhen(url, (b) => ofSku(sku)(b).length === 2);
    // As if the object crashed after sendBatch but before it moved sent_seq.
    await runInDurableObject(productStub(sku), (instance: unknown, state) => {
      state.storage.sql.exec("UPDATE event_outbox SET sent_seq = 0");
      (instance as { stores: { events: { forget(): void } } }).stores.events.forget();
    });
    expect(await productStub(sku).pendingEvents()).toBe(2);
    await productStub(sku).flushEvents();
    await receive(sku, 1);
    await inboxWhen(url, (b) => ofSku(sku)(b).length === 3);
    await settled(webhook.id);
    const box = await inbox(url);
    for (const seq of [1, 2, 3]) expect(attemptsOf(box, `${sku}:${seq}:stock.changed`)).toHaveLength(1);
  });
});

describe("stock events on the queue", () => {
  it("sends many moves' events as one message, and still delivers a one-event message from before that", async () => {
    const { url } = await subscribe(["stock.changed"]);
    const sku = uniqueSku("PACKED");
    const sent: unknown[] = [];
    await receive(sku, 1);
    await productStub(sku).flushEvents();
    await interceptEvents(sku, (body, forward) => (sent.push(body), forward(body)));
    for (let i = 0; i < 3; i++) await receive(sku, 1);
    await productStub(sku).flushEvents();
    expect(sent).toHaveLength(1);
    expect((sent[0] as Array<{ id: string }>).map((e) => e.id)).toEqual([2, 3, 4].map((seq) => `${sku}:${seq}:stock.changed`));

    const [first] = ofSku(sku)(await inboxWhen(url, (b) => ofSku(sku)(b).length === 4));
    const legacy = { ...first!, id: `${sku}:9:stock.changed`, seq: 9 };
    await (env.STOCK_EVENTS as unknown as Queue).send(legacy, { contentType: "json" });
    const box = await inboxWhen(url, (b) => ofSku(sku)(b).length === 5);
    expect(ofSku(sku)(box).map((e) => e.id)).toContain(legacy.id);
  });
  it("keeps delivering a SKU whose moves carry worst-case refs: messages are cut by size, not by count", async () => {
    const { url } = await subscribe(["stock.changed"]);
    const sku = uniqueSku("HUGEREF");
    // Control characters escape to six bytes each in JSON: about 2.4 KB per event.
    const ref = "\u0001".repeat(256);
    const reason = "\u0002".repeat(64);
    const sent: number[] = [];
    await receive(sku, 1);
    await productStub(sku).flushEvents();
    // The moves pile up unsent, as behind a queue outage, then go out together.
    await interceptEvents(sku, (body, forward) => (sent.push(JSON.stringify(body).length), forward(body)));
    // Each move crosses zero, so each makes two events besides stock.changed's: about 4.8 KB a move.
    for (let i = 0; i < 40; i++) {
      const taken = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, ref, reason } });
      const back = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1, ref, reason } });
      expect([taken.status, back.status]).toEqual([201, 201]);
    }
    await productStub(sku).flushEvents();
    expect(await productStub(sku).pendingEvents()).toBe(0);
    expect(sent.length).toBeGreaterThan(2);
    for (const bytes of sent) expect(bytes).toBeLessThanOrEqual(EVENTS_MESSAGE_BYTES);
    const box = await inboxWhen(url, (b) => ofSku(sku)(b).length === 81, 20_000);
    expect(ofSku(sku)(box).map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 81 }, (_, i) => i + 1));
  });

  it("splits a message the queue refuses, and a later move is still delivered", async () => {
    const { url } = await subscribe(["stock.changed"]);
    const sku = uniqueSku("REFUSED");
    const sizes: number[] = [];
    await receive(sku, 1);
    await productStub(sku).flushEvents();
    // A queue that refuses any message of more than 3 events, as a real one refuses one over its size.
    await interceptEvents(sku, (body, forward) => {
      sizes.push(body.length);
      return body.length > 3 ? Promise.reject(new Error("message too large")) : forward(body);
    });
    for (let i = 0; i < 10; i++) await receive(sku, 1);
    await capturingConsole("warn", () => productStub(sku).flushEvents());
    expect(await productStub(sku).pendingEvents()).toBe(0);
    expect(sizes[0]).toBe(10);
    await receive(sku, 1);
    await productStub(sku).flushEvents();
    const box = await inboxWhen(url, (b) => ofSku(sku)(b).length === 12);
    expect(new Set(ofSku(sku)(box).map((e) => e.seq)).size).toBe(12);
  });
});

describe("stock events while D1 is down", () => {
  it("waits in the queue while the webhook list cannot be read, then delivers", async () => {
    const { url } = await subscribe(["stock.back_in_stock"]);
    const sku = uniqueSku("D1DOWN");
    const { lines } = await capturingConsole("error", async () => {
      await env.DB.prepare("ALTER TABLE webhooks RENAME TO webhooks_offline").run();
      try {
        await receive(sku, 1);
        await productStub(sku).flushEvents();
        // The queue's batch window is a second: by now the consumer has met the missing table.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(ofSku(sku)(await inbox(url))).toEqual([]);
      } finally {
        await env.DB.prepare("ALTER TABLE webhooks_offline RENAME TO webhooks").run();
      }
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "fanout_retry", error: expect.stringMatching(/no such table: webhooks/) });
    await inboxWhen(url, (b) => ofSku(sku)(b).length === 1, 20_000);
  });
});

describe("stock events against a model", () => {
  type Step =
    | { kind: "receive"; quantity: number }
    | { kind: "adjust"; delta: number }
    | { kind: "hold"; cart: number; quantity: number }
    | { kind: "threshold"; value: number | null };

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("receive" as const), quantity: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constant("adjust" as const), delta: fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0) }),
    fc.record({ kind: fc.constant("hold" as const), cart: fc.integer({ min: 1, max: 3 }), quantity: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant("threshold" as const), value: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }) }),
  );

  /** The contract's table, applied to one move. */
  function expectedTypes(before: number, after: number, threshold: number | null): string[] {
    const types: string[] = [];
    if (before > 0 && after === 0) types.push("stock.out_of_stock");
    if (before === 0 && after > 0) types.push("stock.back_in_stock");
    if (threshold !== null && before > threshold && after <= threshold && after > 0) types.push("stock.low");
    return [...types, "stock.changed"];
  }

  it("produces exactly the events the contract defines for any sequence of moves and thresholds", async () => {
    const { url } = await subscribe(ALL_TYPES);
    const expected = new Map<string, string[]>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const sku = uniqueSku("MODEL");
        const ids: string[] = [];
        let available = 0;
        let threshold: number | null = null;
        let seq = 0;
        const holds = new Map<number, number>();
        const moved = (after: number) => {
          seq += 1;
          for (const type of expectedTypes(available, after, threshold)) ids.push(`${sku}:${seq}:${type}`);
          available = after;
        };
        for (const s of steps) {
          if (s.kind === "threshold") {
            await api("PUT", `/v1/products/${sku}/settings`, { body: { low_stock_threshold: s.value } });
            threshold = s.value;
          } else if (s.kind === "receive") {
            expect((await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: s.quantity } })).status).toBe(201);
            moved(available + s.quantity);
          } else if (s.kind === "adjust") {
            const res = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: s.delta, reason: "model" } });
            expect(res.status).toBe(available + s.delta >= 0 ? 201 : 409);
            if (res.status === 201) moved(available + s.delta);
          } else {
            const held = holds.get(s.cart) ?? 0;
            const res = await productStub(sku).hold(sku, `cart-${s.cart}`, s.quantity, Date.now() + 3_600_000, "updated", "test");
            expect(res.ok).toBe(s.quantity - held <= available);
            if (res.ok && s.quantity !== held) moved(available - (s.quantity - held));
            if (res.ok) holds.set(s.cart, s.quantity);
          }
        }
        expected.set(sku, ids);
      }),
      { numRuns: 25 },
    );
    const all = [...expected.values()].flat();
    const box = await inboxWhen(url, (b) => b.events.filter((e) => e.event.sku?.startsWith("MODEL-")).length >= all.length, 30_000);
    const got = box.events.map((e) => e.event).filter((e) => expected.has(e.sku));
    expect(got.map((e) => e.id).sort()).toEqual(all.sort());
    // And each event carries the threshold its move was made under and the balances after it.
    for (const e of got) expect(e.stock.available).toBe(e.move.available);
  });
});

describe("webhooks: what review found (Trust II)", () => {
  const body = (path: string) => ({ url: `https://hooks.invalid/${path}`, events: ["stock.low"] });
  const keyed = (key: string, b: unknown) => api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: b, headers: { "idempotency-key": key } });

  it("replays a keyed create for 24 h only, and never derives the id from the key", async () => {
    const key = `key-${uniqueSku()}`;
    const first = await keyed(key, body("keyed"));
    created.push(first.body.id);
    expect(first.body.id).not.toBe(`wh_${(await sha256Hex(`webhook:${key}`)).slice(0, 32)}`);
    expect((await keyed(key, body("keyed"))).body).toEqual(first.body);
    advanceClock(24 * 3_600_000 + 1_000);
    const later = await keyed(key, body("keyed"));
    created.push(later.body.id);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
    expect(later.body.secret).not.toBe(first.body.secret);
    // The key now names the new webhook, for its own 24 h.
    expect((await keyed(key, body("keyed"))).body).toEqual(later.body);
  });

  it("refuses private, loopback, link-local and metadata destinations, and user info, in production", async () => {
    const production = { ...env, ALLOW_INSECURE_WEBHOOKS: "false" } as typeof env;
    for (const url of ["https://169.254.169.254/", "https://127.0.0.1/", "https://[::1]/", "https://10.0.0.1/", "https://metadata.google.internal/", "https://u:p@hooks.invalid/"]) {
      const outcome = await createWebhook(production, { url, events: ["stock.low"] }, null);
      expect(outcome, url).toMatchObject({ ok: false, error: { code: "invalid_request", details: { issues: [{ path: "url" }] } } });
    }
    // Over HTTP too, where local development is allowed: only 127.0.0.1 and localhost are let through.
    for (const url of ["https://169.254.169.254/latest", "https://[fd00::1]/", "https://user:secret@hooks.invalid/x"]) {
      const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: { url, events: ["stock.low"] } });
      expect(res.status, url).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain("secret@");
    }
  });

  it("keeps at most 100 subscriptions, even when creates race", async () => {
    const listed = async () => (await env.DB.prepare("SELECT count(*) AS n FROM webhooks").first<{ n: number }>())!.n;
    const room = 100 - (await listed());
    for (let i = 0; i < room - 5; i++) {
      const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: body(`cap-${i}`) });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const racing = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: body(`race-${i}`) })),
    );
    for (const res of racing) if (res.status === 201) created.push(res.body.id);
    expect(racing.filter((r) => r.status === 201)).toHaveLength(5);
    for (const res of racing.filter((r) => r.status !== 201)) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("conflict");
    }
    expect(await listed()).toBe(100);
  });

  it("lets a keyed create that met a D1 failure succeed when retried", async () => {
    const key = `key-${uniqueSku()}`;
    // D1 fails on the listing's write, after the key was looked up and the object made.
    await env.DB.prepare(
      "CREATE TRIGGER refuse_webhooks BEFORE INSERT ON webhooks BEGIN SELECT RAISE(ABORT, 'D1 is refusing writes'); END",
    ).run();
    const { lines } = await capturingConsole("error", async () => {
      try {
        const failed = await keyed(key, body("d1"));
        expect(failed.status).toBe(503);
        expect(failed.body.error.code).toBe("unavailable");
      } finally {
        await env.DB.prepare("DROP TRIGGER refuse_webhooks").run();
      }
    });
    expect(lines.join("\n")).toMatch(/listing webhook wh_\w+ in D1 failed/);
    const retried = await keyed(key, body("d1"));
    created.push(retried.body.id);
    expect(retried.status).toBe(201);
    expect((await keyed(key, body("d1"))).body).toEqual(retried.body);
  });

  it("sends at most six deliveries at once, so none times out waiting for a connection", async () => {
    // Each answer takes 3.5 s; on Cloudflare an object has six connections. Thirteen deliveries sent at once
    // would leave the last waiting 7 s for one with its 10 s already running, and it would time out unsent.
    const { webhook, url } = await subscribe(["stock.changed"], { delay_ms: 3_500 });
    const sku = uniqueSku("SIX");
    await runInDurableObject(endpointStub(webhook.id), (instance: unknown) => {
      // Held back until all thirteen are enqueued, so they are due together.
      (instance as { deliverDue(): Promise<void> }).deliverDue = () => Promise.resolve();
    });
    await endpointStub(webhook.id).enqueue(
      Array.from({ length: 13 }, (_, i) => ({ id: `${sku}:${i + 1}:stock.changed`, type: "stock.changed", sku, seq: i + 1 }) as never),
    );
    await evictDurableObject(endpointStub(webhook.id));
    await runDurableObjectAlarm(endpointStub(webhook.id));
    const box = await inbox(url);
    // The platform allows an object six open connections (workerd here does not enforce it, so it is counted).
    expect((box as Inbox & { max_inflight: number }).max_inflight).toBe(6);
    const all = await deliveries(webhook.id, "?limit=100");
    expect(all.map((d) => [d.status, d.attempts, d.last_error])).toEqual(Array(13).fill(["delivered", 1, null]));
  }, 30_000);

  it("bounds what waits for a hanging endpoint and what is kept, and frees it all on DELETE", async () => {
    const res = await api("POST", "/v1/webhooks", { token: ADMIN_TOKEN, body: { url: "https://hooks.invalid/hangs", events: ["stock.changed"] } });
    const id = res.body.id as string;
    created.push(id);
    const stub = endpointStub(id);
    // The endpoint hangs: nothing this object sends is ever answered, so nothing settles by itself.
    await runInDurableObject(stub, (instance: unknown) => {
      (instance as { deliverDue(): Promise<void> }).deliverDue = () => Promise.resolve();
    });
    const event = (n: number) => ({ id: `HANG:${n}:stock.changed`, type: "stock.changed", sku: "HANG", seq: n }) as never;
    for (let from = 0; from < MAX_PENDING_DELIVERIES + 5; from += 1_000) {
      const events = Array.from({ length: Math.min(1_000, MAX_PENDING_DELIVERIES + 5 - from) }, (_, i) => event(from + i + 1));
      await stub.enqueue(events);
    }
    const byStatus = () =>
      runInDurableObject(stub, (_i, state) =>
        Object.fromEntries(state.storage.sql.exec<{ status: string; n: number }>("SELECT status, count(*) AS n FROM deliveries GROUP BY status").toArray().map((r) => [r.status, r.n])),
      );
    expect(await byStatus()).toEqual({ pending: MAX_PENDING_DELIVERIES, failed: 5 });
    const untried = await deliveries(id, "?status=failed");
    expect(untried.map((d) => [d.attempts, d.last_error])).toEqual(Array(5).fill([0, BACKLOG_FULL]));
    // A delivery given up on can be sent again by hand.
    const retried = await api("POST", `/v1/webhooks/${id}/deliveries/${encodeURIComponent(untried[0].event_id)}/retry`, { token: ADMIN_TOKEN });
    expect(retried.status).toBe(202);
    expect(await byStatus()).toEqual({ pending: MAX_PENDING_DELIVERIES + 1, failed: 4 });

    // Settled deliveries past their 30 days go as new ones come, twice as fast as they come.
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE deliveries SET status = 'delivered', created_at_ms = ?", Date.now() - DELIVERY_RETENTION_MS - 1);
    });
    await stub.enqueue(Array.from({ length: 500 }, (_, i) => event(20_000 + i)));
    expect(await byStatus()).toEqual({ delivered: MAX_PENDING_DELIVERIES + 5 - (100 + 2 * 500), pending: 500 });

    expect((await api("DELETE", `/v1/webhooks/${id}`, { token: ADMIN_TOKEN })).status).toBe(200);
    const tables = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray().map((r) => r.name),
    );
    expect(tables).toEqual([]);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });

  it("keeps each webhook signing with the key it was made with across a rotation, and says when that key is retired", async () => {
    const { webhook, url } = await subscribe(["stock.changed"]);
    const stub = endpointStub(webhook.id);
    const rotate = (keys: { WEBHOOK_SIGNING_KEY: string; WEBHOOK_SIGNING_KEYS_PREVIOUS?: string }) =>
      runInDurableObject(stub, (instance: unknown) => {
        const object = instance as { env: Record<string, unknown> };
        object.env = { ...object.env, WEBHOOK_SIGNING_KEYS_PREVIOUS: undefined, ...keys };
      });
    await rotate({ WEBHOOK_SIGNING_KEY: "a-new-signing-key", WEBHOOK_SIGNING_KEYS_PREVIOUS: "test-webhook-signing-key" });
    await api("POST", `/v1/webhooks/${webhook.id}/ping`, { token: ADMIN_TOKEN });
    const box = await inboxWhen(url, (b) => b.events.length === 1);
    expect(new Webhook(webhook.secret).verify(box.attempts[0]!.body, box.attempts[0]!.headers)).toMatchObject({ type: "ping" });

    // A webhook made now takes the new key.
    const fresh = endpointStub(`wh_${"f".repeat(24)}${Date.now().toString(16).padStart(8, "0").slice(-8)}`);
    const made = await runInDurableObject(fresh, async (instance: unknown, state) => {
      const object = instance as { env: Record<string, unknown>; create(w: unknown): Promise<any> };
      object.env = { ...object.env, WEBHOOK_SIGNING_KEY: "a-new-signing-key" };
      const outcome = await object.create({ id: "wh_fresh", url: "https://hooks.invalid/", events: ["stock.low"], description: null });
      const { nonce } = state.storage.sql.exec<{ nonce: string }>("SELECT nonce FROM endpoint").one();
      return { secret: outcome.value.secret, nonce };
    });
    expect(made.secret).toBe(await deriveSecret("a-new-signing-key", "wh_fresh", made.nonce));

    // The old key retired: this webhook stops, and its deliveries say why.
    await rotate({ WEBHOOK_SIGNING_KEY: "a-new-signing-key" });
    await capturingConsole("warn", async () => {
      await api("POST", `/v1/webhooks/${webhook.id}/ping`, { token: ADMIN_TOKEN });
      await settled(webhook.id);
    });
    const [latest] = await deliveries(webhook.id, "?limit=1");
    expect(latest.status).toBe("pending");
    expect(latest.last_error).toMatch(/signing key .* is retired/);
    expect((await inbox(url)).attempts).toHaveLength(1);
  });
});
