// (v1.2) GET /v1/admin/health: outboxes behind for over 30 s (as the objects report them), the newest
// projected move, the webhooks' backlogs, and whether D1 answers.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { advanceClock, resetClock } from "../durable-objects/shared/clock";
import { ADMIN_TOKEN, api, capturingConsole, productStub, receive, uniqueSku } from "./helpers";

const health = async () => {
  const res = await api("GET", "/v1/admin/health", { token: ADMIN_TOKEN });
  expect(res.status).toBe(200);
  return res.body;
};
const listed = (body: any, sku: string) => body.lagging.outboxes.filter((o: any) => o.sku === sku);

async function withTableOffline<T>(table: string, run: () => Promise<T>): Promise<T> {
  await env.DB.prepare(`ALTER TABLE ${table} RENAME TO ${table}_offline`).run();
  try {
    return await run();
  } finally {
    await env.DB.prepare(`ALTER TABLE ${table}_offline RENAME TO ${table}`).run();
  }
}

afterEach(() => resetClock());

describe("GET /v1/admin/health", () => {
  it("lists a SKU whose projection has failed for over 30 s, with what it still has to send, until it catches up", async () => {
    const sku = uniqueSku("HEALTH");
    await receive(sku, 5);
    await productStub(sku).flush();

    await capturingConsole("warn", () =>
      withTableOffline("stock", async () => {
        await receive(sku, 2);
        await receive(sku, 1);
        await productStub(sku).flush();
        // Behind, but not yet for 30 s.
        expect(listed(await health(), sku)).toEqual([]);

        advanceClock(31_000);
        const body = await health();
        expect(body.status).toBe("degraded");
        expect(body.d1).toMatchObject({ answers: true, error: null });
        expect(listed(body, sku)).toEqual([
          { sku, outbox: "projection", behind_since: expect.any(String), behind_seconds: expect.any(Number), pending_moves: 2 },
        ]);
        expect(listed(body, sku)[0].behind_seconds).toBeGreaterThanOrEqual(31);
      }),
    );

    // D1 takes the moves: the object says it caught up, and is no longer listed.
    await productStub(sku).flush();
    advanceClock(31_000);
    const after = await health();
    expect(listed(after, sku)).toEqual([]);
    expect(after.projection.newest_move_at).not.toBeNull();
  });

  it("mends a lost catch-up report by asking the SKU's object", async () => {
    const sku = uniqueSku("HEALTHSTALE");
    await receive(sku, 1);
    await productStub(sku).flush();
    const catalog = env.CATALOG.get(env.CATALOG.idFromName("catalog"));
    await catalog.behind(sku, "projection", Date.now() - 60_000);

    expect(listed(await health(), sku)).toEqual([]);
    expect((await catalog.lagging(Date.now(), 1_000)).rows.filter((r) => r.sku === sku)).toEqual([]);
  });

  it("gives the newest projected move and its age", async () => {
    const sku = uniqueSku("HEALTHNEW");
    await receive(sku, 3);
    await productStub(sku).flush();
    const newest = await env.DB.prepare("SELECT at, projected_at FROM moves ORDER BY cursor DESC LIMIT 1").first<{ at: string; projected_at: string }>();

    advanceClock(90_000);
    const body = await health();
    expect(body.projection).toEqual({
      newest_move_at: newest!.at,
      newest_move_projected_at: newest!.projected_at,
      newest_move_age_seconds: expect.any(Number),
    });
    expect(body.projection.newest_move_age_seconds).toBeGreaterThanOrEqual(90);
  });

  it("says that D1 does not answer, and lists no webhooks then", async () => {
    const body = await capturingConsole("error", () => withTableOffline("moves", health));
    expect(body.result.status).toBe("degraded");
    expect(body.result.d1).toMatchObject({ answers: false, error: expect.stringMatching(/no such table: moves/) });
    expect(body.result.projection.newest_move_at).toBeNull();
    expect(body.result.webhooks).toBeNull();
  });

  it("counts each webhook's pending and failed deliveries", async () => {
    const created = await api("POST", "/v1/webhooks", {
      token: ADMIN_TOKEN,
      body: { url: "https://health.invalid/hook", events: ["stock.low"] },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await health()).webhooks).toContainEqual({ id, url: "https://health.invalid/hook", pending: 0, failed: 0 });

    await capturingConsole("warn", async () => {
      expect((await api("POST", `/v1/webhooks/${id}/ping`, { token: ADMIN_TOKEN })).status).toBe(202);
      await env.WEBHOOK_ENDPOINT.get(env.WEBHOOK_ENDPOINT.idFromName(id)).settle();
    });
    expect((await health()).webhooks).toContainEqual({ id, url: "https://health.invalid/hook", pending: 1, failed: 0 });
  });

  it("is for admin tokens only", async () => {
    expect((await api("GET", "/v1/admin/health")).status).toBe(403);
    expect((await api("GET", "/v1/admin/health", { token: null })).status).toBe(401);
  });
});
