// The outbox to D1: flushed after each command, retried from the alarm when D1 fails, and
// idempotent by (sku, seq) so retries and replays never double count.
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { projectionStatements } from "../durable-objects/product-stock/projection-sql";
import { api, capturingConsole, d1Moves, ledger, productStub, receive, uniqueSku } from "./helpers";

const MOVE_FIELDS = [
  "sku", "seq", "type", "quantity", "on_hand", "reserved", "committed", "available",
  "reservation_id", "order_id", "reason", "ref", "at", "location", "to_location", "incoming_id", "incoming",
  "actor",
] as const;

const pick = (row: Record<string, unknown>) => Object.fromEntries(MOVE_FIELDS.map((f) => [f, row[f]]));

async function d1Stock(sku: string) {
  return env.DB.prepare("SELECT * FROM stock WHERE sku = ?").bind(sku).first();
}

/**
 * D1 is taken away by renaming its stock table, which every projection batch writes first by name: a
 * real failure of every projection write. (Renaming `moves` would not do: SQLite rewrites the projection's
 * view and trigger to follow it.)
 */
async function withD1Failing<T>(run: () => Promise<T>): Promise<T> {
  await env.DB.prepare("ALTER TABLE stock RENAME TO stock_offline").run();
  try {
    return await run();
  } finally {
    await env.DB.prepare("ALTER TABLE stock_offline RENAME TO stock").run();
  }
}

describe("projection to D1", () => {
  it("copies every move and the latest stock into D1 after the command", async () => {
    const sku = uniqueSku("PROJ");
    await receive(sku, 8);
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -3, reason: "count", ref: "cycle-1" } });
    await productStub(sku).flush();

    expect((await d1Moves(sku)).map(pick)).toEqual(await ledger(sku));
    expect(await d1Stock(sku)).toMatchObject({ on_hand: 5, available: 5, version: 2 });
    expect(await productStub(sku).pendingProjection()).toBe(0);
  });

  it("retries from the alarm after D1 fails, then converges with no duplicate row", async () => {
    const sku = uniqueSku("OUTAGE");
    await receive(sku, 10);
    await productStub(sku).flush();

    const { lines: warnings } = await capturingConsole("warn", () =>
      withD1Failing(async () => {
        for (const delta of [-1, -2, 4]) {
          const res = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta, reason: "count" } });
          // D1 being down never blocks or fails a command: the ledger is the truth.
          expect(res.status).toBe(201);
        }
        await productStub(sku).flush();
        expect(await productStub(sku).pendingProjection()).toBe(3);
        // The alarm rings while D1 is still down: the moves stay queued.
        expect(await runDurableObjectAlarm(productStub(sku))).toBe(true);
        expect(await productStub(sku).pendingProjection()).toBe(3);
      }),
    );
    // Each failed attempt is logged with its backoff, doubling from 0.5 s.
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ event: "projection_retry", sku, attempt: 1, retry_in_ms: 500, error: expect.stringMatching(/no such table: stock/) });
    expect(JSON.parse(warnings[1]!)).toMatchObject({ event: "projection_retry", sku, attempt: 2, retry_in_ms: 1000 });

    // Still queued after an eviction: the outbox is durable, the alarm still armed.
    await evictDurableObject(productStub(sku));
    expect(await runDurableObjectAlarm(productStub(sku))).toBe(true);

    expect(await productStub(sku).pendingProjection()).toBe(0);
    const rows = await d1Moves(sku);
    expect(rows.map(pick)).toEqual(await ledger(sku));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await d1Stock(sku)).toMatchObject({ on_hand: 11, version: 4 });
    // Nothing left to do: the alarm is not armed again.
    expect(await runDurableObjectAlarm(productStub(sku))).toBe(false);
  });

  it("sends a backlog longer than the moves the object keeps in memory, whole and in seq order", async () => {
    const sku = uniqueSku("BACKLOG");
    const stub = productStub(sku);
    await capturingConsole("warn", () =>
      withD1Failing(async () => {
        for (let i = 0; i < 1_100; i++) {
          const moved = await stub.receive(sku, { quantity: 1 }, null, "test");
          expect(moved.ok).toBe(true);
        }
        await stub.flush();
      }),
    );
    expect(await stub.pendingProjection()).toBe(1_100);
    await stub.flush();

    expect(await stub.pendingProjection()).toBe(0);
    const rows = await d1Moves(sku);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1_100 }, (_, i) => i + 1));
    expect(rows.map(pick)).toEqual(await ledger(sku));
    expect(await d1Stock(sku)).toMatchObject({ on_hand: 1_100, version: 1_100 });
  });

  it("ignores a replayed batch and never lets an older snapshot overwrite a newer one", async () => {
    const sku = uniqueSku("REPLAY");
    await receive(sku, 1);
    await receive(sku, 2);
    await productStub(sku).flush();
    const moves = await ledger(sku);

    await env.DB.batch(projectionStatements(env.DB, moves.slice(0, 1)));
    await env.DB.batch(projectionStatements(env.DB, moves));

    expect(await d1Moves(sku)).toHaveLength(2);
    expect(await d1Stock(sku)).toMatchObject({ on_hand: 3, version: 2 });
  });

  it("shows moves in /v1/moves and stock in /v1/stock once projected", async () => {
    const sku = uniqueSku("FEED");
    await receive(sku, 4);
    await productStub(sku).flush();
    const feed = await api("GET", `/v1/moves?sku=${sku}`);
    expect(feed.status).toBe(200);
    expect(feed.body.moves.map((m: any) => ({ ...m, cursor: undefined }))).toEqual(
      (await ledger(sku)).map((m) => ({ ...m, cursor: undefined })),
    );
  });
});
