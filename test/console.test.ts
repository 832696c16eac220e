// The operator console's files: served by the Worker without a token, with a strict CSP; the API keeps its auth.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers";

const get = (path: string, init: RequestInit = {}) => exports.default.fetch(`https://stockwell.test${path}`, { redirect: "manual", ...init });

describe("the console at /console/", () => {
  it("loads without a token, with a CSP that allows no inline script and nothing from elsewhere", async () => {
    const res = await get("/console/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toContain('<label for="token">API token</label>');
    // Every script is a file of the console's own; none is inline.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/src="[\w.-]+"/);
    expect(html).not.toMatch(/\son\w+="/);
  });

  it("serves its script and style, redirects /console to /console/, and 404s a file it lacks", async () => {
    const script = await get("/console/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).toContain("sessionStorage");
    expect((await get("/console/style.css")).headers.get("content-type")).toMatch(/^text\/css/);
    const bare = await get("/console");
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("https://stockwell.test/console/");
    const missing = await get("/console/nope.js");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await get("/console/", { method: "POST" })).status).toBe(405);
  });

  it("leaves the API's rule alone: any other path without a token is a 401", async () => {
    expect((await api("GET", "/index.html", { token: null })).status).toBe(401);
    expect((await api("GET", "/v1/stock", { token: null })).status).toBe(401);
  });
});
