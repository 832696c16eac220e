// /openapi.json says, per operation, only what that operation can answer, and passes `redocly lint` with
// its recommended rules.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/openapi";

const document = openApiDocument() as any;
const statuses = (path: string, method: string) => Object.keys(document.paths[path][method].responses).sort();

describe("/openapi.json", () => {
  it("lists only the errors each operation can answer", () => {
    expect(statuses("/v1/stock", "get")).toEqual(["200", "400", "401", "403", "429", "500", "503"]);
    expect(statuses("/v1/products/{sku}", "get")).toEqual(["200", "400", "401", "403", "404", "429", "500", "503"]);
    expect(statuses("/v1/products/{sku}/adjust", "post")).toEqual(["201", "400", "401", "403", "409", "413", "429", "500", "503"]);
    expect(statuses("/v1/reservations/{id}", "put")).toEqual(["200", "201", "400", "401", "403", "409", "413", "429", "500", "503"]);
    expect(statuses("/v1/webhooks", "post")).toEqual(["201", "400", "401", "403", "409", "413", "429", "500", "503"]);
    const conflicts = document.paths["/v1/products/{sku}/adjust"].post.responses["409"].description;
    expect(conflicts).toContain("insufficient_stock");
    expect(conflicts).toContain("version_conflict");
    expect(conflicts).not.toContain("reservation_not_active");
    expect(document.paths["/v1/stock"].get.responses["503"].headers["Retry-After"]).toBeDefined();
    expect(document.paths["/v1/stock"].get.responses["429"].headers["Retry-After"]).toBeDefined();
  });

  it("says each parameter's range and default, and the default ttl of a reservation", () => {
    const limit = document.paths["/v1/moves"].get.parameters.find((p: any) => p.name === "limit");
    expect(limit).toMatchObject({ in: "query", required: false, description: "page size" });
    expect(limit.schema).toEqual({ type: "integer", minimum: 1, maximum: 1000, default: 100 });
    const report = document.paths["/v1/reports/daily"].get.parameters.find((p: any) => p.name === "limit");
    expect(report.schema).toEqual({ type: "integer", minimum: 1, maximum: 10_000, default: 1_000 });
    const put = document.paths["/v1/reservations/{id}"].put.requestBody.content["application/json"].schema;
    expect(put.properties.ttl_seconds).toMatchObject({ default: 900, minimum: 1, maximum: 604_800 });
    expect(document.servers).toEqual([expect.objectContaining({ url: "http://127.0.0.1:8787" })]);
  });

  it("passes redocly lint with the recommended rules", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockwell-openapi-"));
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    let output: string;
    try {
      output = execFileSync("redocly", ["lint", file, "--extends", "recommended", "--format", "stylish"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      });
    } catch (err) {
      const failed = err as { stdout?: string; stderr?: string };
      throw new Error(`redocly lint failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`);
    }
    expect(output).not.toMatch(/\berror\b/);
  });
});
