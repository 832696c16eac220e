// docs/API.md is the repository's own reference: every route /openapi.json describes, every error code and
// every operation's default must be in it, and the README must point at it (not at a file outside the repo).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../durable-objects/domain/contract";
import { openApiDocument } from "../../src/openapi";

const reference = readFileSync(new URL("../../docs/API.md", import.meta.url), "utf8");
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };

/** `/v1/products/{sku}` as the reference writes it: `/v1/products/:sku`. */
const asWritten = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

describe("docs/API.md", () => {
  it("describes every route of /openapi.json, method and path", () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) {
        const call = `${method.toUpperCase()} ${asWritten(path)}`;
        if (!reference.includes(call)) missing.push(call);
      }
    }
    expect(missing).toEqual([]);
  });

  it("names every error code with its status", () => {
    for (const code of ERROR_CODES) expect(reference, code).toMatch(new RegExp(`\\| \\d{3} \\| \`${code}\` \\|`));
  });

  it("states the defaults the validators apply", () => {
    expect(reference).toContain("ttl_seconds? (1–604800, default 900)");
    expect(reference).toContain("`limit` (1–1000, default 100)");
    expect(reference).toContain("`limit` (1–10,000, default 1,000)");
  });

  it("is what the README links, and the README links nothing outside the repository", () => {
    expect(readme).toContain("](docs/API.md)");
    expect(readme).not.toContain("../shared");
  });
});
