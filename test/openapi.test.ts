// /openapi.json describes every routed endpoint, and every response a client gets is one it lists: its
// status among the operation's documented ones, its body of the documented shape.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PUBLIC_ROUTES, router } from "../src/http/router";
import { openApiPath } from "../src/openapi";
import type { Operation } from "../src/operation";
import { operations } from "../src/operations";
import { ErrorResponseSchema } from "../src/response-schemas";
import { ADMIN_TOKEN, api, productStub, receive, uniqueSku, type ApiResponse } from "./helpers";

type AnyOperation = Operation<any, any, any, any>;

/** The documented shape with no field beyond it, in each variant of a union. */
const strict = (schema: z.ZodType): z.ZodType =>
  schema instanceof z.ZodObject ? schema.strict() : schema instanceof z.ZodUnion ? z.union(schema.options.map((o) => strict(o as z.ZodType))) : schema;

describe("GET /openapi.json", () => {
  it("needs no token and covers every route the router serves, with every method", async () => {
    const res = await api("GET", "/openapi.json", { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");

    const routed = router.routes
      .map(([method, , , path]) => [method, path] as const)
      .filter(([, path]) => path !== "*");
    expect(routed.map(([, path]) => path).sort()).toEqual(
      [...new Set(Object.values(operations).map((op) => op.path))].sort(),
    );
    for (const [routeMethod, path] of routed) {
      const documented = res.body.paths[openApiPath(path!)];
      expect(documented, `${path} is routed but not documented`).toBeDefined();
      // Each path is routed with ALL and dispatched by method: every method it answers must be documented.
      expect(routeMethod).toBe("ALL");
      const probe = await api("OPTIONS", path!.replace(/:(\w+)/g, "x1"));
      const allowed = probe.headers.get("allow")!.split(", ");
      expect(Object.keys(documented).sort(), path).toEqual(allowed.map((m) => m.toLowerCase()).sort());
    }
    for (const path of Object.keys(PUBLIC_ROUTES)) expect(res.body.paths[path]).toBeDefined();
  });

  it("takes request schemas from the zod validators", async () => {
    const { body } = await api("GET", "/openapi.json", { token: null });
    const receive = body.paths["/v1/products/{sku}/receive"].post;
    const schema = receive.requestBody.content["application/json"].schema;
    expect(schema.properties.quantity).toMatchObject({ type: "integer", minimum: 1, maximum: 1_000_000 });
    expect(schema.additionalProperties).toBe(false);
    expect(receive.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "sku", in: "path", required: true }),
        expect.objectContaining({ name: "Idempotency-Key", in: "header" }),
      ]),
    );
    const moves = body.paths["/v1/moves"].get.parameters.map((p: any) => p.name);
    expect(moves).toEqual(
      expect.arrayContaining(["sku", "type", "reservation_id", "order_id", "ref", "since", "until", "after", "limit"]),
    );
  });
});

describe("every response matches the document", () => {
  it("in a session that calls every operation, answering successes and errors", async () => {
    const { body: document } = await api("GET", "/openapi.json", { token: null });
    const seen = new Set<string>();

    /** Calls `name`'s route and checks the answer against what the document lists for it. */
    async function call(name: keyof typeof operations, path: string, options: Parameters<typeof api>[2] = {}) {
      const op = operations[name] as AnyOperation;
      const res: ApiResponse = await api(op.method, path, options);
      const documented = document.paths[openApiPath(op.path)][op.method.toLowerCase()];
      expect(Object.keys(documented.responses), `${name} answered ${res.status}`).toContain(String(res.status));
      const shape: z.ZodType = res.status < 400 ? strict(op.response as z.ZodType) : ErrorResponseSchema.strict();
      const parsed = shape.safeParse(res.body);
      expect(parsed.success, `${name} ${res.status}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      seen.add(name);
      return res;
    }

    const sku = uniqueSku("DOC");
    await receive(sku, 5);
    const [cart, order] = [uniqueSku("cart"), uniqueSku("order")];
    await call("getProduct", `/v1/products/${sku}`);
    await call("getProduct", `/v1/products/${uniqueSku("NONE")}`);
    await call("receive", `/v1/products/${sku}/receive`, { body: { quantity: 1 } });
    await call("receive", `/v1/products/${sku}/receive`, { body: { quantity: 0 } });
    await call("receive", `/v1/products/${sku}/receive`, { body: { quantity: 1 }, token: "test-read-token" });
    await call("adjust", `/v1/products/${sku}/adjust`, { body: { delta: -100, reason: "count" } });
    await call("adjust", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "count", expected_version: 2 } });
    await call("transfer", `/v1/products/${sku}/transfer`, { body: { from: "default", to: "default", quantity: 1 } });
    await call("transfer", `/v1/products/${sku}/transfer`, { body: { from: "default", to: "nowhere", quantity: 1 } });
    await call("listProductMoves", `/v1/products/${sku}/moves?limit=2`);
    await call("count", `/v1/products/${sku}/count`, { body: { on_hand: 20 } });
    await call("count", `/v1/products/${sku}/count`, { body: { on_hand: 20 } });
    await call("count", `/v1/products/${sku}/count`, { body: { on_hand: 0 } });
    await call("counts", `/v1/counts`, { body: { lines: [{ sku, on_hand: 20 }, { sku: uniqueSku("NEW"), on_hand: 1 }] } });
    await call("counts", `/v1/counts`, { body: { lines: [] } });
    await call("getSettings", `/v1/products/${uniqueSku("NONE")}/settings`);
    await call("putSettings", `/v1/products/${sku}/settings`, { body: { low_stock_threshold: 10 } });
    await call("putSettings", `/v1/products/${sku}/settings`, { body: { low_stock_threshold: -1 } });
    await call("getSettings", `/v1/products/${sku}/settings`);
    await call("putSettings", `/v1/products/${sku}/settings`, { body: { backorder_limit: 2, preorder: true } });
    await call("putIncoming", `/v1/products/${sku}/incoming/PO-1`, { body: { quantity: 4, expected_at: "2027-01-01T00:00:00.000Z" } });
    await call("putIncoming", `/v1/products/${sku}/incoming/PO-1`, { body: { quantity: 5, expected_at: "2027-01-01T00:00:00.000Z" } });
    await call("putIncoming", `/v1/products/${sku}/incoming/PO-1`, { body: { quantity: 0, expected_at: "2027-01-01T00:00:00.000Z" } });
    await call("getIncoming", `/v1/products/${sku}/incoming/PO-1`);
    await call("getIncoming", `/v1/products/${sku}/incoming/PO-9`);
    await call("listIncoming", `/v1/products/${sku}/incoming?status=open`);
    await call("receive", `/v1/products/${sku}/receive`, { body: { quantity: 1, incoming_id: "PO-9" } });
    await call("cancelIncoming", `/v1/products/${sku}/incoming/PO-1`);
    await call("cancelIncoming", `/v1/products/${sku}/incoming/PO-9`);
    await call("putIncoming", `/v1/products/${sku}/incoming/PO-1`, { body: { quantity: 5, expected_at: "2027-01-01T00:00:00.000Z" } });
    await call("listStock", `/v1/stock?short=true&limit=2`);
    const bundle = uniqueSku("DOCKIT");
    await call("putBundle", `/v1/bundles/${bundle}`, { body: { components: [{ sku, quantity: 2 }] } });
    await call("putBundle", `/v1/bundles/${bundle}`, { body: { components: [{ sku, quantity: 1 }] } });
    await call("putBundle", `/v1/bundles/${sku}`, { body: { components: [{ sku: bundle, quantity: 1 }] } });
    await call("putBundle", `/v1/bundles/${bundle}`, { body: { components: [] } });
    await call("getBundle", `/v1/bundles/${bundle}`);
    await call("getProduct", `/v1/products/${bundle}`);
    await call("listStock", `/v1/stock?sku=${bundle},${sku}`);
    await call("deleteBundle", `/v1/bundles/${bundle}`);
    await call("deleteBundle", `/v1/bundles/${bundle}`);
    await call("getBundle", `/v1/bundles/${bundle}`);
    await call("putReservation", `/v1/reservations/${cart}`, { body: { holder: "h", lines: [{ sku, quantity: 2 }] } });
    await call("putReservation", `/v1/reservations/${cart}`, { body: { holder: "h", lines: [{ sku, quantity: 99 }] } });
    await call("getReservation", `/v1/reservations/${cart}`);
    await call("commitReservation", `/v1/reservations/${cart}/commit`, { body: { order_id: order } });
    await call("deleteReservation", `/v1/reservations/${cart}`);
    await call("getOrder", `/v1/orders/${order}`);
    await call("fulfilOrder", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku, quantity: 1 }] } });
    await call("fulfilOrder", `/v1/orders/${order}/fulfil`, { body: { lines: [{ sku, quantity: 9 }] } });
    await call("returnOrder", `/v1/orders/${order}/return`, { body: { lines: [{ sku, quantity: 1 }] } });
    await call("cancelOrder", `/v1/orders/${order}/cancel`);
    await productStub(sku).flush();
    await call("listStock", `/v1/stock?limit=2`);
    await call("listReservations", `/v1/reservations?sku=${sku}&status=released`);
    await call("listReservations", `/v1/reservations?after=nope`);
    await call("listOrders", `/v1/orders?reservation_id=${cart}&open=false`);
    await call("listStock", `/v1/stock?low=true&limit=2`);
    await call("listStock", `/v1/stock?prefix=${sku}&sku=${sku},B`);
    await call("listStock", `/v1/stock?sku=,`);
    await call("listMoves", `/v1/moves?sku=${sku}`);
    await call("listMoves", `/v1/moves?actor=write&limit=2`);
    await call("getToken", "/v1/token");
    await call("getToken", "/v1/token", { token: "test-seller-s1-token" });
    await call("getProduct", `/v1/products/${sku}`, { token: "test-seller-s1-token" });
    await call("listMoves", `/v1/moves?bogus=1`, { token: null });
    await call("dailyReport", `/v1/reports/daily?from=2026-01-01&to=2026-12-31&limit=5`);
    await call("resetReadModel", "/v1/admin/read-model/reset", { token: "test-write-token" });
    await call("rebuildReadModel", "/v1/admin/read-model/rebuild", { token: ADMIN_TOKEN, body: { limit: 1 } });
    await call("health", "/v1/admin/health", { token: ADMIN_TOKEN });
    await call("resetReadModel", "/v1/admin/read-model/reset", { token: ADMIN_TOKEN, rawBody: "x".repeat(70_000) });
    const hook = await call("createWebhook", "/v1/webhooks", {
      token: ADMIN_TOKEN,
      // The test receivers (an inbox that does not exist answers 404): the ping's delivery stays on this machine.
      body: { url: `${env.WEBHOOK_RECEIVERS}/inboxes/openapi`, events: ["stock.low"] },
    });
    await call("createWebhook", "/v1/webhooks", { token: ADMIN_TOKEN, body: { url: "ftp://x", events: [] } });
    await call("listWebhooks", "/v1/webhooks?limit=1", { token: ADMIN_TOKEN });
    await call("getWebhook", `/v1/webhooks/${hook.body.id}`, { token: ADMIN_TOKEN });
    await call("pingWebhook", `/v1/webhooks/${hook.body.id}/ping`, { token: ADMIN_TOKEN });
    const pings = await call("listDeliveries", `/v1/webhooks/${hook.body.id}/deliveries`, { token: ADMIN_TOKEN });
    await call("listDeliveries", `/v1/webhooks/${hook.body.id}/deliveries?status=pending`, { token: ADMIN_TOKEN });
    const ping = encodeURIComponent(pings.body.items[0].event_id);
    await call("retryDelivery", `/v1/webhooks/${hook.body.id}/deliveries/${ping}/retry`, { token: ADMIN_TOKEN });
    await call("retryDelivery", `/v1/webhooks/${hook.body.id}/deliveries/nope/retry`, { token: ADMIN_TOKEN });
    await call("listLocations", "/v1/locations");
    await call("getLocation", "/v1/locations/default");
    await call("getLocation", "/v1/locations/nowhere");
    await call("putLocation", "/v1/locations/default", { token: ADMIN_TOKEN, body: { name: "Default" } });
    await call("putLocation", "/v1/locations/default", { token: ADMIN_TOKEN, body: { name: "" } });
    await call("deleteWebhook", `/v1/webhooks/${hook.body.id}`, { token: ADMIN_TOKEN });
    await call("getWebhook", `/v1/webhooks/${hook.body.id}`, { token: ADMIN_TOKEN });

    expect([...seen].sort()).toEqual(Object.keys(operations).sort());
  });
});
