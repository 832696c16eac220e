// The operator scripts, run as a person runs them: rebuild against a stand-in stockwell on loopback, and
// seed into a scratch state folder.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Runs `npm run <script>`-equivalent `node scripts/<file>`; resolves with the exit code and output. */
async function script(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [`scripts/${file}`, ...args], {
      env: { ...process.env, NODE_OPTIONS: "--disable-warning=ExperimentalWarning", ...env },
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: (failed.stdout ?? "") + (failed.stderr ?? "") };
  }
}

/** A stand-in for `npm start` that records the calls it gets and answers like stockwell's admin routes. */
async function standIn(): Promise<{ server: Server; port: number; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    res.setHeader("content-type", "application/json");
    if (req.url === "/v1/admin/read-model/reset") return res.end(JSON.stringify({ deleted: 3, done: true }));
    if (req.url === "/v1/admin/read-model/rebuild") return res.end(JSON.stringify({ skus: 2, moves: 9, next_after_sku: null }));
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, calls };
}

let open: Server | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

describe("npm run rebuild", () => {
  it("honours PORT and rebuilds without erasing anything", async () => {
    const { server, port, calls } = await standIn();
    open = server;
    const { code, output } = await script("rebuild.mjs", [], { PORT: String(port) });
    expect(code).toBe(0);
    expect(output).toContain("rebuild: 2 SKUs, 9 moves queued");
    expect(calls).toEqual(["POST /v1/admin/read-model/rebuild"]);
  });

  it("will not --reset without asking: with no terminal it needs --yes, and warns about D1-only rows", async () => {
    const { server, port, calls } = await standIn();
    open = server;
    const refused = await script("rebuild.mjs", ["--reset"], { PORT: String(port) });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("such as those written by `npm run seed`, are gone for good");
    expect(refused.output).toContain("add --yes");
    expect(calls).toEqual([]);

    const done = await script("rebuild.mjs", ["--reset", "--yes"], { PORT: String(port) });
    expect(done.code).toBe(0);
    expect(calls).toEqual(["POST /v1/admin/read-model/reset", "POST /v1/admin/read-model/rebuild"]);
  });

  it("says that npm start is not running instead of printing a stack trace", async () => {
    const { server, port } = await standIn();
    await new Promise((resolve) => server.close(resolve));
    const { code, output } = await script("rebuild.mjs", [], { PORT: String(port) });
    expect(code).toBe(1);
    expect(output).toContain(`could not reach stockwell at http://127.0.0.1:${port}: is \`npm start\` running?`);
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe("npm run seed", () => {
  it("refuses while something serves on PORT", async () => {
    const { server, port } = await standIn();
    open = server;
    const { code, output } = await script("seed.mjs", ["--moves", "10", "--skus", "2"], { PORT: String(port) });
    expect(code).toBe(1);
    expect(output).toContain("stop `npm start` first");
  });

  it("prefixes every id, stamps updated_at with each SKU's last move, and counts the rollups once", async () => {
    const state = mkdtempSync(join(tmpdir(), "stockwell-seed-"));
    const free = await standIn();
    await new Promise((resolve) => free.server.close(resolve));
    const { code, output } = await script(
      "seed.mjs",
      ["--moves", "3000", "--skus", "20", "--days", "5", "--prefix", "TST", "--persist-to", state],
      { PORT: String(free.port) },
    );
    expect(code, output).toBe(0);

    const dir = join(state, "v3/d1/miniflare-D1DatabaseObject");
    const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")!;
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM moves")).toBe(3000);
    expect(count("SELECT count(*) AS n FROM moves WHERE sku NOT LIKE 'TST-%'")).toBe(0);
    expect(count("SELECT count(*) AS n FROM moves WHERE reservation_id NOT LIKE 'TST-cart-%'")).toBe(0);
    expect(count("SELECT count(*) AS n FROM moves WHERE order_id NOT LIKE 'TST-order-%'")).toBe(0);
    expect(count("SELECT count(*) AS n FROM moves WHERE ref NOT LIKE 'TST-%'")).toBe(0);
    expect(count("SELECT count(*) AS n FROM moves WHERE order_id IS NOT NULL")).toBeGreaterThan(0);
    // Each SKU's stock row carries its last move's balances, seq and time.
    expect(
      count(`SELECT count(*) AS n FROM stock s JOIN moves m ON m.sku = s.sku AND m.seq = s.version
             WHERE m.at = s.updated_at AND m.on_hand = s.on_hand`),
    ).toBe(20);
    // Rollups equal a recount of the moves, and every SKU's progress is at its last seq.
    const recount = count(`SELECT count(*) AS n FROM (
      SELECT at_day, sku, sum(CASE type WHEN 'received' THEN quantity ELSE 0 END) AS received, count(*) AS c
      FROM moves GROUP BY at_day, sku) r JOIN daily_rollups d ON d.day = r.at_day AND d.sku = r.sku
      WHERE d.received = r.received`);
    expect(recount).toBe(count("SELECT count(*) AS n FROM daily_rollups"));
    expect(count("SELECT count(*) AS n FROM rollup_progress p JOIN stock s USING (sku) WHERE p.counted_seq = s.version")).toBe(20);
    db.close();

    const hint = output.split("\n").find((line) => line.includes("order_id="))!;
    const orderId = /order_id=([^']+)/.exec(hint)![1]!;
    expect(orderId).toMatch(/^TST-order-\d+$/);
    const reopened = new DatabaseSync(join(dir, file), { readOnly: true });
    expect((reopened.prepare("SELECT count(*) AS n FROM moves WHERE order_id = ?").get(orderId) as { n: number }).n).toBeGreaterThan(0);
    reopened.close();
  }, 120_000);
});

describe("npm start's .dev.vars", () => {
  it("is created from the example, and an older one gains the keys added since, keeping its own values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stockwell-devvars-"));
    const example = readFileSync(".dev.vars.example", "utf8");
    writeFileSync(join(dir, ".dev.vars.example"), example);
    const ensure = `import(${JSON.stringify(join(process.cwd(), "scripts/local-dev.mjs"))}).then((m) => m.ensureDevVars())`;
    await run(process.execPath, ["-e", ensure], { cwd: dir });
    expect(readFileSync(join(dir, ".dev.vars"), "utf8")).toBe(example);

    writeFileSync(join(dir, ".dev.vars"), "API_TOKENS=admin:mine\n");
    const { stdout } = await run(process.execPath, ["-e", ensure], { cwd: dir });
    expect(stdout).toContain("added WEBHOOK_SIGNING_KEY, ALLOW_INSECURE_WEBHOOKS to .dev.vars");
    const vars = readFileSync(join(dir, ".dev.vars"), "utf8");
    expect(vars).toMatch(/^API_TOKENS=admin:mine\n/);
    expect(vars.match(/^API_TOKENS=/gm)).toHaveLength(1);
    expect(vars).toContain("ALLOW_INSECURE_WEBHOOKS=true");
  });
});
