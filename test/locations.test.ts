// The location registry over HTTP and RPC (contract v1.2): default always present, admin writes, at most 100.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, api, READ_TOKEN, WRITE_TOKEN } from "./helpers";

const registry = () => env.LOCATION_REGISTRY.get(env.LOCATION_REGISTRY.idFromName("locations"));

describe("the location registry", () => {
  // The registry is one object for the whole service: these tests run in order, on its one state.
  it("has default before anything is written, and a read creates no storage", async () => {
    const list = await api("GET", "/v1/locations");
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { id: "default", name: "Default", priority: 100, active: true, created_at: null, updated_at: null },
    ]);
    expect((await api("GET", "/v1/locations/default")).body).toMatchObject({ id: "default", active: true });
    expect((await api("GET", "/v1/locations/nowhere")).status).toBe(404);
    const tables = await runInDurableObject(registry(), (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'locations'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it("creates with 201, replaces with 200, and lists by priority then id", async () => {
    const created = await api("PUT", "/v1/locations/wh-east", { token: ADMIN_TOKEN, body: { name: "East", priority: 10 } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: "wh-east",
      name: "East",
      priority: 10,
      active: true,
      created_at: expect.any(String),
      updated_at: created.body.created_at,
    });
    const replaced = await api("PUT", "/v1/locations/wh-east", { token: ADMIN_TOKEN, body: { name: "East DC", priority: 10, active: false } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: "East DC", active: false, created_at: created.body.created_at });
    await api("PUT", "/v1/locations/store-1", { token: ADMIN_TOKEN, body: { name: "Store", priority: 10 } });
    expect((await api("GET", "/v1/locations")).body.items.map((l: { id: string }) => l.id)).toEqual(["store-1", "wh-east", "default"]);
    // default may be renamed or moved (a 200: it always existed), never made inactive.
    const main = await api("PUT", "/v1/locations/default", { token: ADMIN_TOKEN, body: { name: "Main", priority: 100 } });
    expect(main.status).toBe(200);
    const off = await api("PUT", "/v1/locations/default", { token: ADMIN_TOKEN, body: { name: "Main", active: false } });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe("conflict");
  });

  it("needs admin to write, read to look, and validates like every call", async () => {
    const body = { name: "X" };
    expect((await api("PUT", "/v1/locations/x", { token: WRITE_TOKEN, body })).status).toBe(403);
    expect((await api("PUT", "/v1/locations/x", { token: READ_TOKEN, body })).status).toBe(403);
    expect((await api("GET", "/v1/locations", { token: READ_TOKEN })).status).toBe(200);
    for (const [path, payload, field] of [
      ["/v1/locations/-bad", body, "location"],
      ["/v1/locations/x", { name: "" }, "name"],
      ["/v1/locations/x", { name: "X", priority: 1001 }, "priority"],
      ["/v1/locations/x", { name: "X", active: "yes" }, "active"],
      ["/v1/locations/x", { name: "X", extra: 1 }, "extra"],
    ] as const) {
      const res = await api("PUT", path, { token: ADMIN_TOKEN, body: payload });
      expect(res.status, field).toBe(400);
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await api("GET", "/v1/locations/x")).status).toBe(404);
  });

  it("holds at most 100 locations, default among them", async () => {
    const count = async () => (await api("GET", "/v1/locations")).body.items.length as number;
    for (let i = await count(); i < 100; i++) {
      expect((await api("PUT", `/v1/locations/cap-${i}`, { token: ADMIN_TOKEN, body: { name: `Cap ${i}` } })).status).toBe(201);
    }
    const over = await api("PUT", "/v1/locations/one-too-many", { token: ADMIN_TOKEN, body: { name: "Over" } });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: "conflict", details: { limit: 100 } });
    expect(await count()).toBe(100);
    // A replacement is not a new one.
    expect((await api("PUT", "/v1/locations/cap-99", { token: ADMIN_TOKEN, body: { name: "Renamed" } })).status).toBe(200);
  });

  it("is readable over RPC (its writes are not on the entrypoint: test/bound/)", async () => {
    const service = exports.InventoryService;
    const listed = await service.listLocations();
    expect(listed.ok && listed.value.items.some((l) => l.id === "default")).toBe(true);
    expect(await service.getLocation("nowhere")).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});
