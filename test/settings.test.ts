// Contract v1.1: a SKU's settings (its low-stock threshold), and GET /v1/stock?low=true from the read model.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, capturingConsole, productStub, READ_TOKEN, receive, uniqueSku } from "./helpers";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const putSettings = (sku: string, low_stock_threshold: unknown) =>
  api("PUT", `/v1/products/${sku}/settings`, { body: { low_stock_threshold } });

/** Every SKU of the listing under `prefix`, following the pages. */
async function lowSkus(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let after: string | null = prefix;
  do {
    const res: any = await api("GET", `/v1/stock?low=true&limit=2&after_sku=${encodeURIComponent(after)}`);
    expect(res.status).toBe(200);
    found.push(...res.body.items.map((s: any) => s.sku));
    after = res.body.next_after_sku;
  } while (after && after.startsWith(prefix));
  return found.filter((sku) => sku.startsWith(prefix));
}

describe("a SKU's settings", () => {
  it("answers nulls for a SKU never configured, and keeps no storage for it", async () => {
    const sku = uniqueSku("SET");
    const res = await api("GET", `/v1/products/${sku}/settings`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sku, low_stock_threshold: null, backorder_limit: 0, preorder: false, updated_at: null });
    const tables = await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it("is set before the first move, read back, and cleared with null", async () => {
    const sku = uniqueSku("SET");
    const set = await putSettings(sku, 5);
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ sku, low_stock_threshold: 5, backorder_limit: 0, preorder: false, updated_at: expect.stringMatching(ISO_MS) });
    expect((await api("GET", `/v1/products/${sku}/settings`)).body).toEqual(set.body);
    // Settings are not stock: the SKU still has no moves.
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);

    const cleared = await putSettings(sku, null);
    expect(cleared.body).toMatchObject({ sku, low_stock_threshold: null });
    expect((await api("GET", `/v1/products/${sku}/settings`)).body.low_stock_threshold).toBeNull();
  });

  it("refuses a bad threshold with 400 naming the field, and changes nothing", async () => {
    const sku = uniqueSku("SET");
    await putSettings(sku, 3);
    for (const bad of [-1, 1_000_001, 1.5, "3", undefined]) {
      const res = await putSettings(sku, bad);
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.issues[0].path).toBe("low_stock_threshold");
    }
    const extra = await api("PUT", `/v1/products/${sku}/settings`, { body: { low_stock_threshold: 1, colour: "red" } });
    expect(extra.status).toBe(400);
    expect((await api("GET", `/v1/products/${sku}/settings`)).body.low_stock_threshold).toBe(3);
  });

  it("is the same over RPC: values on success, the error object on bad input", async () => {
    const sku = uniqueSku("SET");
    const set = await exports.InventoryService.putSettings(sku, { low_stock_threshold: 7 });
    expect(set).toEqual({ ok: true, value: { sku, low_stock_threshold: 7, backorder_limit: 0, preorder: false, updated_at: expect.stringMatching(ISO_MS) } });
    expect(await exports.InventoryService.getSettings(sku)).toEqual(set);
    const bad = await exports.InventoryService.putSettings(sku, { low_stock_threshold: -7 });
    expect(bad).toMatchObject({ ok: false, error: { code: "invalid_request" } });
  });

  it("needs the write scope to change", async () => {
    const res = await api("PUT", `/v1/products/${uniqueSku("SET")}/settings`, { body: { low_stock_threshold: 1 }, token: READ_TOKEN });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });
});

describe("GET /v1/stock?low=true", () => {
  it("lists exactly the SKUs whose available is at or below their threshold, as moves and settings change", async () => {
    const prefix = uniqueSku("LOW");
    const [a, b, c, d] = ["A", "B", "C", "D"].map((s) => `${prefix}-${s}`) as [string, string, string, string];
    await putSettings(a, 5); // set before the first move
    await receive(a, 3); // 3 ≤ 5: low
    await receive(b, 10);
    await putSettings(b, 5); // 10 > 5: not low
    await receive(c, 1); // no threshold: never low
    await receive(d, 5);
    await putSettings(d, 5); // exactly at it: low
    for (const sku of [a, b, c, d]) await productStub(sku).flush();
    expect(await lowSkus(prefix)).toEqual([a, d]);

    // A sale takes b to its threshold; d's threshold is lowered under its stock; a's is cleared.
    await api("POST", `/v1/products/${b}/adjust`, { body: { delta: -5, reason: "count" } });
    await putSettings(d, 4);
    await putSettings(a, null);
    for (const sku of [a, b, d]) await productStub(sku).flush();
    expect(await lowSkus(prefix)).toEqual([b]);
  });

  it("retries a threshold D1 refused until it lands, though no move is pending", async () => {
    const prefix = uniqueSku("LOWD1");
    const sku = `${prefix}-A`;
    await receive(sku, 3);
    await productStub(sku).flush();
    await env.DB.prepare("ALTER TABLE stock RENAME TO stock_offline").run();
    try {
      const { lines } = await capturingConsole("warn", async () => {
        await putSettings(sku, 5);
        await productStub(sku).flush();
        // The alarm rings twice while D1 is still down: the change stays to be sent, backing off.
        await runDurableObjectAlarm(productStub(sku));
        await runDurableObjectAlarm(productStub(sku));
      });
      // The command's send (which the explicit flush may join), then two rings: one backoff that keeps
      // growing, never reset.
      const attempts = lines.map((l) => JSON.parse(l)).map((j) => [j.attempt, j.retry_in_ms]);
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts).toEqual(attempts.map((_, i) => [i + 1, 500 * 2 ** i]));
    } finally {
      await env.DB.prepare("ALTER TABLE stock_offline RENAME TO stock").run();
    }
    expect(await runDurableObjectAlarm(productStub(sku))).toBe(true);
    expect(await lowSkus(prefix)).toEqual([sku]);
  });

  it("accepts only low=true", async () => {
    const res = await api("GET", "/v1/stock?low=false");
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe("low");
  });
});
