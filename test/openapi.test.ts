// /openapi.json describes every routed endpoint, with the request schemas that validate it.
import { describe, expect, it } from "vitest";
import { PUBLIC_ROUTES, router } from "../src/http/router";
import { openApiPath } from "../src/openapi";
import { api } from "./helpers";

describe("GET /openapi.json", () => {
  it("needs no token and covers every route the router serves, with every method", async () => {
    const res = await api("GET", "/openapi.json", { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");

    const routed = router.routes
      .map(([method, , , path]) => [method, path] as const)
      .filter(([, path]) => path !== "*");
    expect(routed.length).toBeGreaterThan(10);
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
    const put = body.paths["/v1/reservations/{id}"].put;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(["200", "201", "409"]));
    const moves = body.paths["/v1/moves"].get.parameters.map((p: any) => p.name);
    expect(moves).toEqual(
      expect.arrayContaining(["sku", "type", "reservation_id", "order_id", "ref", "since", "until", "after", "limit"]),
    );
  });
});
