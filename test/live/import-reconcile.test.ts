// `npm run import` and `npm run reconcile` as an operator runs them: the real scripts, as child processes,
// against the real `npm start` that this tier serves (test/browser/serve.ts), with files in a scratch folder.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const base = inject("baseUrl");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "stockwell-import-"));
const tag = Date.now().toString(36).toUpperCase();
const READ = "local-read-token";
const WRITE = "local-write-token";

async function script(name: "import" | "reconcile", args: string[], token = WRITE) {
  try {
    const { stdout, stderr } = await run(process.execPath, [`scripts/${name}.mjs`, ...args, "--url", base], {
      env: { ...process.env, STOCKWELL_TOKEN: token },
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: (failed.stdout ?? "") + (failed.stderr ?? "") };
  }
}

async function api(method: string, path: string, body?: unknown, token = method === "GET" ? READ : WRITE) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

const product = async (sku: string) => (await api("GET", `/v1/products/${sku}`)).body;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const csv = (path: string) => readFileSync(path, "utf8").trim().split("\n");

/** The read model has caught up with these SKUs' ledgers (reconcile reads it). */
async function projected(skus: string[]) {
  for (let i = 0; i < 200; i++) {
    const versions = await Promise.all(skus.map(async (sku) => [(await product(sku)).version, (await api("GET", `/v1/stock?sku=${sku}`)).body.items[0]?.version]));
    if (versions.every(([ledger, read]) => ledger === read)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the read model did not catch up");
}

describe("npm run import", () => {
  it("counts each good line as an opening balance, refuses the bad ones into a CSV beside the file, and exits 1", async () => {
    const path = file(
      "opening.csv",
      [`sku,on_hand,location`, `${tag}-A,5`, `${tag}-B,0`, `not a sku,3`, `${tag}-C,-2`, `${tag}-A,6`, `${tag}-D,4,NOWHERE`, `${tag}-E,9,default`].join("\n"),
    );
    const { code, output } = await script("import", [path]);
    expect(code).toBe(1);
    expect(output).toContain("imported 3 of 7 lines");

    expect(await product(`${tag}-A`)).toMatchObject({ on_hand: 5, available: 5, version: 1 });
    expect(await product(`${tag}-E`)).toMatchObject({ on_hand: 9, version: 1 });
    const [move] = (await api("GET", `/v1/products/${tag}-A/moves`)).body.moves;
    expect(move).toMatchObject({ type: "adjusted", quantity: 5, reason: "opening balance", actor: "write" });

    expect(csv(`${path}.refused.csv`)).toEqual([
      "line,sku,on_hand,location,reason",
      `4,not a sku,3,,"sku must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"`,
      `5,${tag}-C,-2,,on_hand must be a whole number from 0 to 1000000`,
      `6,${tag}-A,6,,listed twice (sku and location)`,
      `7,${tag}-D,4,NOWHERE,no location NOWHERE in stockwell (create it first)`,
    ]);
  });

  it("applies nothing twice when run again, even after a crash lost its record of what it sent", async () => {
    // Two batches: 1,000 lines and 100.
    const lines = Array.from({ length: 1_100 }, (_, i) => `${tag}-R${String(i).padStart(4, "0")},${i % 50}`);
    const path = file("resume.csv", lines.join("\n"));
    const first = await script("import", [path]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain("imported 1100 of 1100 lines");
    expect(existsSync(`${path}.refused.csv`)).toBe(false);

    // A sale after the import: a second run must not count the SKU back to the file's number.
    const sold = `${tag}-R0007`;
    expect((await api("POST", `/v1/products/${sold}/adjust`, { delta: -3, reason: "sale" })).status).toBe(201);

    const again = await script("import", [path]);
    expect(again.output).toContain("resuming: 2 of 2 batches were sent before");
    // As if the run had crashed before writing down its batches: the same keys are sent, and replayed.
    rmSync(`${path}.import.json`);
    const afterCrash = await script("import", [path]);
    expect(afterCrash.code, afterCrash.output).toBe(0);
    expect(afterCrash.output).toContain("imported 1100 of 1100 lines");
    expect(await product(sold)).toMatchObject({ on_hand: 4, version: 2 });
    expect(await product(`${tag}-R1099`)).toMatchObject({ on_hand: 49, version: 1 });
  }, 240_000);

  it("stops on Ctrl-C once the batches in flight are answered, says how far it got, and the same command sends the rest", async () => {
    // Three batches, sent one at a time: 1,000, 1,000 and 100 lines.
    const lines = Array.from({ length: 2_100 }, (_, i) => `${tag}-I${String(i).padStart(4, "0")},${1 + (i % 9)}`);
    const path = file("interrupted.csv", lines.join("\n"));
    const child = spawn(process.execPath, ["scripts/import.mjs", path, "--url", base, "--concurrency", "1"], {
      env: { ...process.env, STOCKWELL_TOKEN: WRITE },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const sentBatches = () => (existsSync(`${path}.import.json`) ? JSON.parse(readFileSync(`${path}.import.json`, "utf8")).done.length : 0);
    // An import that dies before its first batch ends the wait, so the assertion below shows its output.
    while (sentBatches() === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGINT");

    expect(await exited, output).toBe(130);
    const stopped = output.match(/interrupted: (\d) of 3 batches sent \((\d+) lines in [\d.]+ s this run\); run the same command again/);
    expect(stopped, output).not.toBeNull();
    const [sent, sentLines] = [Number(stopped![1]), Number(stopped![2])];
    expect(sent).toBeLessThan(3);
    expect(sentLines).toBe(sent * 1_000);
    expect((await api("GET", `/v1/products/${tag}-I2099`)).status).toBe(404);

    const rest = await script("import", [path, "--concurrency", "1"]);
    expect(rest.code, rest.output).toBe(0);
    expect(rest.output).toContain(`resuming: ${sent} of 3 batches were sent before`);
    expect(rest.output).toContain("imported 2100 of 2100 lines");
    expect(await product(`${tag}-I0000`)).toMatchObject({ on_hand: 1, version: 1 });
    expect(await product(`${tag}-I2099`)).toMatchObject({ on_hand: 3, version: 1 });
  }, 240_000);

  it("reads the JSON that wrangler d1 execute --json prints", async () => {
    const rows = [{ sku: `${tag}-J1`, on_hand: 3 }, { sku: `${tag}-J2`, on_hand: 8 }];
    const path = file("products.json", JSON.stringify([{ results: rows, success: true, meta: { rows_read: 2 } }]));
    const { code, output } = await script("import", [path]);
    expect(code, output).toBe(0);
    expect(await product(`${tag}-J2`)).toMatchObject({ on_hand: 8 });
  });

  it("--dry-run says what would change and changes nothing", async () => {
    const sku = `${tag}-DRY`;
    expect((await api("POST", `/v1/products/${sku}/receive`, { quantity: 2 })).status).toBe(201);
    await projected([sku]);
    const path = file("dry.csv", `${sku},7\n${tag}-DRYNEW,1\n`);
    const { code, output } = await script("import", [path, "--dry-run"]);
    expect(code, output).toBe(0);
    expect(output).toContain("2 would change on_hand");
    expect(csv(`${path}.dry-run.csv`)).toEqual(["sku,location,on_hand_now,counted,difference", `${sku},default,2,7,5`, `${tag}-DRYNEW,default,0,1,1`]);
    expect(await product(sku)).toMatchObject({ on_hand: 2, version: 1 });
    expect((await api("GET", `/v1/products/${tag}-DRYNEW`)).status).toBe(404);
  });

  it("takes its token from STOCKWELL_TOKEN only, and stops on a token that cannot write", async () => {
    const path = file("token.csv", `${tag}-T,1\n`);
    const argv = await script("import", [path, "--token", WRITE]);
    expect(argv.code).not.toBe(0);
    const readOnly = await script("import", [path], READ);
    expect(readOnly.code).toBe(1);
    expect(readOnly.output).toContain("403 forbidden");
    expect((await api("GET", `/v1/products/${tag}-T`)).status).toBe(404);
  });
});

describe("npm run reconcile", () => {
  it("writes no stock, and lists each SKU whose numbers differ from the old ones", async () => {
    const skus = [`${tag}-M1`, `${tag}-M2`, `${tag}-M3`];
    const path = file("old.csv", `sku,on_hand\n${skus[0]},4\n${skus[1]},6\n${skus[2]},1\n`);
    expect((await script("import", [path])).code).toBe(0);
    await projected(skus);
    const clean = await script("reconcile", [path], READ);
    expect(clean.code, clean.output).toBe(0);
    expect(clean.output).toContain("reconciled 3 SKUs");
    expect(clean.output).toContain("3 match, 0 differ");

    // Drift: a sale held one unit of M1, and M2 was counted short.
    expect((await api("PUT", `/v1/reservations/${tag}-cart`, { holder: "h", lines: [{ sku: skus[0], quantity: 1 }] })).status).toBe(201);
    expect((await api("POST", `/v1/products/${skus[1]}/count`, { on_hand: 5 })).status).toBe(201);
    await projected(skus);
    const versions = await Promise.all(skus.map(async (sku) => (await product(sku)).version));
    const drifted = await script("reconcile", [path], READ);
    expect(drifted.code).toBe(1);
    expect(drifted.output).toContain("2 match, 1 differ");
    expect(csv(`${path}.drift.csv`)).toEqual(["sku,old,on_hand,available,difference", `${skus[1]},6,5,5,-1`]);
    expect(await Promise.all(skus.map(async (sku) => (await product(sku)).version))).toEqual(versions);
  });
});
