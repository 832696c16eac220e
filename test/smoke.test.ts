import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("healthz", async () => {
    const res = await exports.default.fetch("http://x/healthz");
    expect(await res.json()).toEqual({ ok: true });
  });
  it("receive", async () => {
    const res = await exports.default.fetch("http://x/v1/products/SMOKE-1/receive", {
      method: "POST",
      headers: { authorization: "Bearer test-write-token" },
      body: JSON.stringify({ quantity: 5 }),
    });
    console.log(res.status, await res.text());
  });
});
