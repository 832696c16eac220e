// (v1.2) A bad API_TOKENS shuts the door: every request answers 503 until it is fixed, whatever token it
// brings, and the log says why without repeating a token. The v1.1 list keeps working.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleHttp } from "../src/http/router";
import { capturingConsole, uniqueSku } from "./helpers";

const call = (apiTokens: string, path: string, token?: string, init: RequestInit = {}) =>
  handleHttp(
    new Request(`https://stockwell.test${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { "content-type": "application/json" } : {}) },
    }),
    { ...env, API_TOKENS: apiTokens },
  );

describe("API_TOKENS at start-up", () => {
  it("keeps the v1.1 list working: scopes as before, moves named after the scope", async () => {
    const tokens = "read:v11-read, write:v11-write";
    const sku = uniqueSku("V11-TOK");
    expect((await call(tokens, `/v1/products/${sku}/receive`, "v11-read", { method: "POST", body: '{"quantity":1}' })).status).toBe(403);
    const written = await call(tokens, `/v1/products/${sku}/receive`, "v11-write", { method: "POST", body: '{"quantity":1}' });
    expect(written.status).toBe(201);
    expect(((await written.json()) as { move: { actor: string } }).move.actor).toBe("write");
    expect((await call(tokens, `/v1/products/${sku}`, "unknown")).status).toBe(401);
  });

  it.each([
    ["a malformed JSON entry", JSON.stringify([{ name: "ops", scope: "write", token: "good-token" }, { name: "bad", scope: "root", token: "other-token" }])],
    ["a duplicate token", JSON.stringify([{ name: "ops", scope: "write", token: "good-token" }, { name: "ops2", scope: "read", token: "good-token" }])],
    ["JSON that does not parse", `[{"name":"ops","scope":"write","token":"good-token"},`],
    ["a malformed v1.1 entry", "write:good-token,good-token-2"],
  ])("with %s: every request answers 503, the valid token's included, and the log never shows a token", async (_case, tokens) => {
    const { result, lines } = await capturingConsole("error", async () => [
      await call(tokens, "/v1/stock", "good-token"),
      await call(tokens, `/v1/products/${uniqueSku("CFG")}/receive`, "good-token", { method: "POST", body: '{"quantity":1}' }),
      await call(tokens, "/v1/stock"),
      await call(tokens, "/healthz"),
      await call(tokens, "/console/"),
    ]);
    for (const response of result) {
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).not.toBeNull();
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unavailable");
      expect(body.error.message).toMatch(/API_TOKENS/);
    }
    // Said once per configuration, loudly, naming the entries by position only.
    expect(lines.filter((l) => l.includes("API_TOKENS is invalid"))).toHaveLength(1);
    expect(lines.join("\n")).not.toMatch(/good-token|other-token/);
  });

  it("comes back as soon as the configuration is fixed", async () => {
    const broken = JSON.stringify([{ name: "ops", scope: "write", token: "fix-token", extra: 1 }]);
    await capturingConsole("error", async () => expect((await call(broken, "/v1/stock", "fix-token")).status).toBe(503));
    const fixed = JSON.stringify([{ name: "ops", scope: "write", token: "fix-token" }]);
    expect((await call(fixed, "/v1/stock", "fix-token")).status).toBe(200);
  });
});
