// Schema versions are kept per owner (each store's own steps). An object created while one number covered
// everything, with the shared stores' tables made by its step 1, is adopted without running a step twice.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PRODUCT_STOCK_SCHEMA } from "../durable-objects/product-stock/schema";
import { migrate, type Schema } from "../durable-objects/shared/migrate";
import { api, productStub, receive, stockOf, uniqueSku, WRITE_TOKEN } from "./helpers";

const versions = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ owner: string; version: number }>("SELECT owner, version FROM schema_versions ORDER BY owner")
    .toArray()
    .map((r) => ({ ...r }));

/** Every table, index and row an object holds; SQL compared without whitespace or quotes (an ALTER writes `, col`). */
const everything = (sql: SqlStorage) => {
  const objects = sql
    .exec<{ type: string; name: string; tbl_name: string; sql: string | null }>("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    .toArray()
    .map((o) => ({ ...o, sql: o.sql?.replace(/[\s"]/g, "") ?? null }));
  const rows = objects
    .filter((o) => o.type === "table" && !o.name.startsWith("_cf_") && !o.name.startsWith("sqlite_"))
    .map((t) => ({ table: t.name, rows: sql.exec(`SELECT * FROM ${t.name}`).toArray().map((r) => ({ ...r })) }));
  return { objects, rows };
};

describe("schema versions", () => {
  it("a new SKU made from the baseline holds what its steps would have made: tables, indexes, rows, versions", async () => {
    const stepsOnly: Schema = { ...PRODUCT_STOCK_SCHEMA, parts: PRODUCT_STOCK_SCHEMA.parts.map(({ baseline: _, ...part }) => part) };
    const made = async (schema: Schema) =>
      runInDurableObject(productStub(uniqueSku("BASE")), (_: unknown, state: DurableObjectState) => {
        migrate(state.storage, schema);
        return everything(state.storage.sql);
      });
    const fromSteps = await made(stepsOnly);
    const fromBaseline = await made(PRODUCT_STOCK_SCHEMA);
    expect(fromSteps.objects.map((o) => o.name)).toContain("stock_moves_by_to_location");
    expect(fromBaseline).toEqual(fromSteps);
  });

  it("a new object records each owner's version", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    const recorded = await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => versions(state));
    expect(recorded).toEqual([
      { owner: "idempotency", version: 1 },
      { owner: "product_stock", version: 10 },
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
        { owner: "product_stock", version: 10 },
        { owner: "schedule", version: 1 },
      ],
      single: 0,
      tables: ["ledger_sku"],
    });
  });
});

describe("a ledger written before locations (v1.1) wakes up on v1.2", () => {
  it("keeps every unit, at default: its stock, moves, holds and order lines", async () => {
    const sku = uniqueSku("V11");
    const now = Date.now();
    await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      // The schema as v1.1 shipped it: the product's first six steps, every other owner's first.
      sql.exec("CREATE TABLE schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      for (const part of PRODUCT_STOCK_SCHEMA.parts) {
        const steps = part.owner === "product_stock" ? part.steps.slice(0, 6) : part.steps;
        for (const step of steps) sql.exec(step);
        sql.exec("INSERT INTO schema_versions (owner, version) VALUES (?, ?)", part.owner, steps.length);
      }
      // 6 received, 2 held for a cart, 1 committed to an order and fulfilled... as v1.1 rows.
      const move = (seq: number, type: string, quantity: number, b: [number, number, number], ids: [string | null, string | null] = [null, null]) =>
        sql.exec(
          `INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed, reservation_id, order_id, at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          seq, type, quantity, ...b, ...ids, now + seq,
        );
      move(1, "received", 6, [6, 0, 0]);
      move(2, "reserved", 2, [6, 2, 0], ["cart:old", null]);
      move(3, "reserved", 1, [6, 3, 0], ["cart:paid", null]);
      move(4, "committed", 1, [6, 2, 1], ["cart:paid", "order:old"]);
      sql.exec("INSERT INTO ledger_sku (id, sku) VALUES (1, ?)", sku);
      sql.exec("INSERT INTO holds (reservation_id, quantity, expires_at_ms) VALUES ('cart:old', 2, ?)", now + 3_600_000);
      sql.exec("INSERT INTO order_lines (order_id, reservation_id, committed) VALUES ('order:old', 'cart:paid', 1)");
      sql.exec("UPDATE projection SET projected_seq = 4");
      sql.exec("UPDATE event_outbox SET sent_seq = 4");
    });
    await evictDurableObject(productStub(sku));

    const stock = await api("GET", `/v1/products/${sku}`);
    expect(stock.body).toMatchObject({ on_hand: 6, reserved: 2, committed: 1, available: 3, version: 4 });
    expect(stock.body.locations).toEqual([{ location: "default", on_hand: 6, reserved: 2, committed: 1, available: 3 }]);
    const moves = (await api("GET", `/v1/products/${sku}/moves`)).body.moves;
    expect(moves.map((m: any) => [m.seq, m.location, m.to_location])).toEqual([1, 2, 3, 4].map((seq) => [seq, "default", null]));
    // (v1.2) Nobody is named for what was done before moves had an actor.
    expect(moves.map((m: any) => m.actor)).toEqual([null, null, null, null]);
    expect(await productStub(sku).heldBy("cart:old")).toMatchObject({ held: 2, allocations: [{ location: "default", quantity: 2 }] });

    // The old hold releases at default, the old order fulfils there, and new moves go on from seq 5.
    expect(await productStub(sku).hold(sku, "cart:old", 0, 0, "cancelled", "test")).toMatchObject({ ok: true });
    const fulfilled = await productStub(sku).applyOrderTotals(sku, "order:old", { fulfilled: 1, cancelled: 0, returned: 0 }, "test");
    expect(fulfilled).toMatchObject({ ok: true, value: { fulfilled: 1, allocations: [{ location: "default", fulfilled: 1 }] } });
    const after = await api("GET", `/v1/products/${sku}`);
    expect(after.body).toMatchObject({ on_hand: 5, reserved: 0, committed: 0, available: 5, version: 6 });
    expect(after.body.locations).toEqual([{ location: "default", on_hand: 5, reserved: 0, committed: 0, available: 5 }]);
    const versionsNow = await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => versions(state));
    expect(versionsNow).toContainEqual({ owner: "product_stock", version: 10 });
    const later = (await api("GET", `/v1/products/${sku}/moves?after_seq=4`)).body.moves;
    expect(later.map((m: any) => [m.seq, m.actor])).toEqual([[5, "test"], [6, "test"]]);
  });
});

describe("a ledger written before reality (v1.2 locations, step 7) wakes up on step 8", () => {
  it("keeps its moves, locations and settings, and may then be found short and expect incoming", async () => {
    const sku = uniqueSku("V7");
    const now = Date.now();
    await runInDurableObject(productStub(sku), (_: unknown, state: DurableObjectState) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      for (const part of PRODUCT_STOCK_SCHEMA.parts) {
        const steps = part.owner === "product_stock" ? part.steps.slice(0, 7) : part.steps;
        for (const step of steps) sql.exec(step);
        sql.exec("INSERT INTO schema_versions (owner, version) VALUES (?, ?)", part.owner, steps.length);
      }
      // 5 received at default, 2 moved to east, 3 held at default.
      sql.exec(
        `INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed, at_ms, location, to_location,
           at_on_hand, at_reserved, at_committed, to_on_hand, to_reserved, to_committed) VALUES
         (1, 'received', 5, 5, 0, 0, ?, NULL, NULL, 5, 0, 0, NULL, NULL, NULL),
         (2, 'transferred', 2, 5, 0, 0, ?, NULL, 'east', 3, 0, 0, 2, 0, 0),
         (3, 'reserved', 3, 5, 3, 0, ?, NULL, NULL, 3, 3, 0, NULL, NULL, NULL)`,
        now + 1, now + 2, now + 3,
      );
      sql.exec("UPDATE stock_moves SET reservation_id = 'cart:7' WHERE seq = 3");
      sql.exec("INSERT INTO ledger_locations (location) VALUES ('default'), ('east')");
      sql.exec("INSERT INTO ledger_sku (id, sku) VALUES (1, ?)", sku);
      sql.exec(`INSERT INTO holds (reservation_id, quantity, expires_at_ms, allocations) VALUES ('cart:7', 3, ?, '[{"location":"default","quantity":3}]')`, now + 3_600_000);
      sql.exec("INSERT INTO settings (id, low_stock_threshold, updated_at_ms) VALUES (1, 4, ?)", now);
      sql.exec("UPDATE projection SET projected_seq = 3");
      sql.exec("UPDATE event_outbox SET sent_seq = 3");
    });
    await evictDurableObject(productStub(sku));

    const stock = await api("GET", `/v1/products/${sku}`);
    expect(stock.body).toMatchObject({ on_hand: 5, reserved: 3, available: 2, version: 3, incoming: 0, available_to_promise: 2 });
    expect(stock.body.locations).toEqual([
      { location: "default", on_hand: 3, reserved: 3, committed: 0, available: 0 },
      { location: "east", on_hand: 2, reserved: 0, committed: 0, available: 2 },
    ]);
    expect((await api("GET", `/v1/products/${sku}/settings`)).body).toMatchObject({ low_stock_threshold: 4, backorder_limit: 0, preorder: false });
    expect((await api("GET", `/v1/products/${sku}/moves`)).body.moves.map((m: any) => [m.seq, m.incoming_id, m.incoming])).toEqual([
      [1, null, 0],
      [2, null, 0],
      [3, null, 0],
    ]);

    // The rebuilt ledger takes a count below what is held, and units on their way.
    const counted = await api("POST", `/v1/products/${sku}/count`, { body: { on_hand: 1 } });
    expect(counted.status).toBe(201);
    expect(counted.body.stock.locations[0]).toMatchObject({ location: "default", on_hand: 1, available: -2 });
    expect((await api("PUT", `/v1/products/${sku}/incoming/PO-1`, { body: { quantity: 4, expected_at: "2027-01-01T00:00:00.000Z" } })).status).toBe(201);
    expect((await api("GET", `/v1/products/${sku}`)).body).toMatchObject({ version: 5, incoming: 4 });
  });
});
