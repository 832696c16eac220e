// Objects keep what they read in memory while they live (snapshot, holds, schedule, watermark). A
// transaction that fails is rolled back by SQLite; what memory learned in it must be dropped with it.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { capturingConsole, ledger, productStub, receive, stockOf, uniqueSku } from "./helpers";

const exec = (sku: string, sql: string) =>
  runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => {
    state.storage.sql.exec(sql);
  });

describe("a failed transaction", () => {
  it("leaves the object's memory as its storage is: no gap in seq, no phantom hold", async () => {
    const sku = uniqueSku("ROLLBACK");
    await receive(sku, 5);
    const product = productStub(sku);
    // The hold's move and snapshot are written first; storing the hold then fails, so all of it rolls back.
    await exec(sku, "CREATE TRIGGER refuse_holds BEFORE INSERT ON holds BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const { result, lines } = await capturingConsole("error", async () => product.hold(sku, "cart-a", 2, Date.now() + 60_000, "updated", "test"));
    expect(result).toEqual({ ok: false, error: { code: "internal", message: expect.any(String) } });
    expect(lines).toEqual([expect.stringContaining("hold on ROLLBACK")]);
    await exec(sku, "DROP TRIGGER refuse_holds");

    expect((await product.hold(sku, "cart-a", 3, Date.now() + 60_000, "updated", "test")).ok).toBe(true);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 5, reserved: 3, version: 2 });
    expect((await ledger(sku)).map((m) => [m.seq, m.type, m.quantity])).toEqual([
      [1, "received", 5],
      [2, "reserved", 3],
    ]);
    expect((await product.getHold("cart-a"))?.quantity).toBe(3);
  });
});
