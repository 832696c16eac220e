// Bad input of every shape is a clear 400 with API.md's error object, small, and changes nothing.
import { describe, expect, it } from "vitest";
import { api, ledger, receive, uniqueSku } from "./helpers";

describe("bad input stays a 400", () => {
  it("refuses deeply nested JSON sent with an Idempotency-Key, and appends nothing", async () => {
    const sku = uniqueSku("DEEP");
    for (const depth of [3_000, 30_000]) {
      const res = await api("POST", `/v1/products/${sku}/receive`, {
        rawBody: "[".repeat(depth) + "]".repeat(depth),
        headers: { "content-type": "application/json", "idempotency-key": `deep-${depth}` },
      });
      expect(res.status, `depth ${depth}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", details: { issues: [{ path: "" }] } });
    }
    const unclosed = await api("POST", `/v1/products/${sku}/receive`, {
      rawBody: "[".repeat(3_000),
      headers: { "idempotency-key": "unclosed" },
    });
    expect(unclosed.status).toBe(400);
    expect(await ledger(sku)).toEqual([]);
  });

  it("lists at most 20 issues, however many parameters are wrong, in a small body", async () => {
    const query = Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join("&");
    const res = await api("GET", `/v1/moves?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toHaveLength(20);
    expect(res.body.error.details.issues[0]).toEqual({ path: "p0", message: "unknown field" });
    expect(res.body.error.message).toMatch(/and 9980 more$/);
    expect(JSON.stringify(res.body).length).toBeLessThan(4_096);
  });

  it("refuses instants outside the years 0000–9999 in UTC, and accepts the edges", async () => {
    const sku = uniqueSku("YEAR");
    await receive(sku, 1);
    for (const [name, value] of [
      ["until", "9999-12-31T23:59:00-23:59"],
      ["since", "0000-01-01T00:00:00+00:01"],
    ] as const) {
      const res = await api("GET", `/v1/moves?${name}=${encodeURIComponent(value)}`);
      expect(res.status, value).toBe(400);
      expect(res.body.error.details.issues).toEqual([{ path: name, message: expect.stringContaining("0000 and 9999") }]);
    }
    const at = await api("GET", `/v1/products/${sku}?at=${encodeURIComponent("10000-01-01T00:00:00Z")}`);
    expect(at.status).toBe(400);
    const edge = await api("GET", `/v1/moves?sku=${sku}&until=${encodeURIComponent("9999-12-31T23:59:59.999Z")}`);
    expect(edge.status).toBe(200);
    expect(edge.body.moves).toHaveLength(1);
    expect((await api("GET", `/v1/moves?since=${encodeURIComponent("0000-01-01T00:00:00Z")}&limit=1`)).status).toBe(200);
  });
});
