// Scopes: admin ⊃ write ⊃ read. Admin operations need an admin token and are not offered over RPC.
import { describe, expect, it } from "vitest";
import { authenticate } from "../src/http/auth";
import { InventoryService } from "../src/rpc";
import { ADMIN_TOKEN, api, ledger, READ_TOKEN, uniqueSku, WRITE_TOKEN } from "./helpers";

describe("the admin scope", () => {
  it("is needed for /v1/admin/*: read and write tokens get 403 and nothing is reset", async () => {
    for (const token of [READ_TOKEN, WRITE_TOKEN]) {
      for (const path of ["/v1/admin/read-model/reset", "/v1/admin/read-model/rebuild"]) {
        const res = await api("POST", path, { token });
        expect(res.status, `${path} with ${token}`).toBe(403);
        expect(res.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("admin") });
      }
    }
    const rebuilt = await api("POST", "/v1/admin/read-model/rebuild", { token: ADMIN_TOKEN, body: { limit: 1 } });
    expect(rebuilt.status).toBe(200);
  });

  it("includes write and read", async () => {
    const sku = uniqueSku("ADMIN");
    expect((await api("POST", `/v1/products/${sku}/receive`, { token: ADMIN_TOKEN, body: { quantity: 2 } })).status).toBe(201);
    expect((await api("GET", `/v1/products/${sku}`, { token: ADMIN_TOKEN })).body).toMatchObject({ on_hand: 2 });
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("reads tokens with spaces trimmed around scope and token (a bad entry or a token twice: token-config.test.ts)", async () => {
    const tokens = " read : r-token , admin:a-token,  write:w-token ";
    expect(await authenticate("Bearer r-token", tokens)).toEqual({ kind: "caller", principal: { name: "read", scope: "read", skuPrefix: null } });
    expect(await authenticate("Bearer a-token", tokens)).toMatchObject({ kind: "caller", principal: { scope: "admin" } });
    expect(await authenticate("Bearer w-token", tokens)).toMatchObject({ kind: "caller", principal: { scope: "write" } });
    expect(await authenticate("Bearer x", tokens)).toEqual({ kind: "unknown" });
    expect(await authenticate("Bearer ", tokens)).toEqual({ kind: "unknown" });
  });

  it("is not on the RPC entrypoint: a bound Worker has the write scope", async () => {
    const methods = Object.getOwnPropertyNames(InventoryService.prototype);
    expect(methods).toContain("receive");
    expect(methods).not.toContain("resetReadModel");
    expect(methods).not.toContain("rebuildReadModel");
    // A bound Worker cannot even name them: tsc checks that the entrypoint's type has no such methods.
    type Offered = keyof InventoryService;
    const offersReset: "resetReadModel" extends Offered ? true : false = false;
    const offersRebuild: "rebuildReadModel" extends Offered ? true : false = false;
    expect([offersReset, offersRebuild]).toEqual([false, false]);
  });
});
