// Schema versions are kept per owner (each store's own steps). An object created while one number covered
// everything, with the shared stores' tables made by its step 1, is adopted without running a step twice.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PRODUCT_STOCK_SCHEMA } from "../durable-objects/product-stock/schema";
import { api, productStub, receive, stockOf, uniqueSku, WRITE_TOKEN } from "./helpers";

const versions = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ owner: string; version: number }>("SELECT owner, version FROM schema_versions ORDER BY owner")
    .toArray()
    .map((r) => ({ ...r }));

describe("schema versions", () => {
  it("a new object records each owner's version", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    const recorded = await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => versions(state));
    expect(recorded).toEqual([
      { owner: "idempotency", version: 1 },
      { owner: "product_stock", version: 6 },
      { owner: "schedule", version: 1 },
    ]);
  });

  it("an object with one schema number is adopted on its next write, keeps its ledger and drops its snapshot row", async () => {
    const sku = uniqueSku();
    await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => {
      // What such an object holds: every owner's step 1 and the product's three steps, under one number.
      for (const part of PRODUCT_STOCK_SCHEMA.parts) for (const step of part.steps.slice(0, 3)) state.storage.sql.exec(step);
      state.storage.sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO schema_version (version) VALUES (3)");
      // And one move, with the snapshot row that version kept beside the ledger.
      state.storage.sql.exec(
        "INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed, at_ms) VALUES (1, 'received', 4, 4, 0, 0, ?)",
        Date.now(),
      );
      state.storage.sql.exec("INSERT INTO stock (id, sku, on_hand, reserved, committed, version, updated_at_ms) VALUES (1, ?, 4, 0, 0, 1, ?)", sku, Date.now());
    });

    const res = await api("POST", `/v1/products/${sku}/receive`, { token: WRITE_TOKEN, body: { quantity: 2 } });
    expect(res.status).toBe(201);
    expect(res.body.stock).toMatchObject({ on_hand: 6, version: 2 });
    await receive(sku, 1);
    expect(await stockOf(sku)).toMatchObject({ on_hand: 7, version: 3 });

    const after = await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => ({
      versions: versions(state),
      single: state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").toArray().length,
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name IN ('stock', 'ledger_sku')")
        .toArray()
        .map((r) => r.name),
    }));
    expect(after).toEqual({
      versions: [
        { owner: "idempotency", version: 1 },
        { owner: "product_stock", version: 6 },
        { owner: "schedule", version: 1 },
      ],
      single: 0,
      tables: ["ledger_sku"],
    });
  });
});
