// `npm run bench:scale -- [--moves 10000000] [--skus 500000] [--days 91] [--layouts time,sku] [--samples 30]
//                        [--port 8799] [--out bench/results/scale.json] [--keep] [--reuse] [--cases TEXT]`
// --keep leaves each layout's state in the temp folder; --reuse measures a kept state again without seeding;
// --cases measures only the cases whose name contains TEXT (and skips the retention run), to replay a miss.
//
// History at the seed's own scale. For each layout of D1's cursor order — `time` (live traffic) and `sku`
// (as after a rebuild) — it seeds its own scratch state (never the developer's .wrangler), serves it with
// `wrangler dev`, and times every combination of one or two /v1/moves filters with and without a cursor,
// the first and a deep page of the change feed, /v1/stock pages, one SKU's 30- and 366-day reports, and
// one retention run (the seed spans 91 days, so the cron deletes the oldest day). Each case is timed over
// HTTP and inside the Worker (its Server-Timing header: the operation, D1 included, HTTP excluded), with
// random values drawn from the seeded data. Results: bench/results/scale.json.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { ensureDevVars, wranglerEnv } from "../scripts/local-dev.mjs";
import { generator } from "../scripts/random.mjs";

const { values } = parseArgs({
  options: {
    moves: { type: "string", default: "10000000" },
    skus: { type: "string", default: "500000" },
    days: { type: "string", default: "91" },
    layouts: { type: "string", default: "time,sku" },
    samples: { type: "string", default: "30" },
    port: { type: "string", default: "8799" },
    keep: { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    cases: { type: "string" },
    out: { type: "string", default: "bench/results/scale.json" },
  },
});
const SAMPLES = Number(values.samples);
const PORT = values.port;
const BASE = `http://127.0.0.1:${PORT}`;
const READ = { authorization: "Bearer local-read-token" };
const FILTERS = ["sku", "type", "reservation_id", "order_id", "ref", "since", "until"];

const { pick } = generator(0x9e3779b9);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const round = (ms) => Math.round(ms * 100) / 100;

function databaseFile(state) {
  const dir = join(state, "v3/d1/miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  return join(dir, file);
}

function seedState(layout) {
  const state = join(tmpdir(), `stockwell-scale-${layout}-${PORT}`);
  if (values.reuse) return { state, seedSeconds: null };
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const began = Date.now();
  const args = ["scripts/seed.mjs", "--moves", values.moves, "--skus", values.skus, "--days", values.days];
  const seeded = spawnSync(process.execPath, [...args, "--layout", layout, "--prefix", "S", "--persist-to", state], {
    stdio: "inherit",
    env: { ...process.env, PORT },
  });
  if (seeded.status !== 0) throw new Error(`seeding failed (${seeded.status})`);
  return { state, seedSeconds: (Date.now() - began) / 1000 };
}

/**
 * Moves of the seeded data to draw filter values from, each found from a random cursor: any move, one with
 * a reservation, one with an order and one with a ref, plus a window between two random moves' times.
 */
function samplesFrom(file, count) {
  const db = new DatabaseSync(file, { readOnly: true });
  const max = db.prepare("SELECT max(cursor) AS n FROM moves").get().n;
  const first = (condition) => db.prepare(`SELECT * FROM moves WHERE cursor >= ? AND ${condition} ORDER BY cursor LIMIT 1`);
  const any = first("1");
  const kinds = {
    reservation: first("reservation_id IS NOT NULL"),
    order: first("order_id IS NOT NULL"),
    ref: first("ref IS NOT NULL"),
  };
  const skus = db.prepare("SELECT count(*) AS n FROM stock").get().n;
  const out = [];
  for (let i = 0; i < count; i++) {
    const from = () => 1 + pick(max);
    const rows = { base: any.get(from()) };
    for (const [kind, statement] of Object.entries(kinds)) rows[kind] = statement.get(from()) ?? rows.base;
    out.push({ rows, window: [rows.base.at, any.get(from()).at].sort() });
  }
  db.close();
  return { samples: out, maxCursor: max, skus };
}

/**
 * The query of a /v1/moves case for one sample. Every filter's value comes from one move that carries them
 * all, so the filters select something; where no move can (the seed puts refs only on receipts, which have
 * no reservation), each value comes from its own move and the page is rightly empty.
 */
function movesQuery(filters, sample, withCursor) {
  const { rows } = sample;
  const columns = filters.filter((f) => f !== "since" && f !== "until");
  const carrier = [rows.order, rows.reservation, rows.ref, rows.base].find((r) => columns.every((c) => r[c] !== null));
  const valueOf = (column) =>
    (carrier ?? (column === "ref" ? rows.ref : column === "order_id" ? rows.order : rows.reservation))[column];
  const source = carrier ?? rows.base;
  const q = new URLSearchParams({ limit: "100" });
  for (const f of filters) {
    if (f === "since") q.set("since", filters.includes("until") ? sample.window[0] : source.at);
    else if (f === "until") q.set("until", filters.includes("since") ? sample.window[1] : source.at);
    else q.set(f, valueOf(f));
  }
  // Resume from a random point before the move the filters came from.
  if (withCursor) q.set("after", String(pick(source.cursor)));
  return `/v1/moves?${q}`;
}

async function timed(path) {
  const began = performance.now();
  const res = await fetch(`${BASE}${path}`, { headers: READ });
  const body = await res.json();
  const http = performance.now() - began;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  const op = Number(/op;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN);
  const rows = body.moves?.length ?? body.items?.length ?? body.days?.length ?? 0;
  return { http, op, rows };
}

async function measure(paths) {
  for (const path of paths.slice(0, 3)) await timed(path);
  const runs = [];
  for (const path of paths) runs.push({ path, ...(await timed(path)) });
  const ops = runs.map((r) => r.op).sort((a, b) => a - b);
  const https = runs.map((r) => r.http).sort((a, b) => a - b);
  const slowest = runs.reduce((a, b) => (b.op > a.op ? b : a));
  return {
    // The slowest request, so a p99 that misses can be replayed and explained.
    slowest: { path: slowest.path, ms: round(slowest.op) },
    p50_ms: round(quantile(ops, 0.5)),
    p99_ms: round(quantile(ops, 0.99)),
    http_p50_ms: round(quantile(https, 0.5)),
    http_p99_ms: round(quantile(https, 0.99)),
    rows: Math.round(runs.reduce((n, r) => n + r.rows, 0) / runs.length),
    requests: runs.length,
  };
}

async function waitForServer() {
  for (let i = 0; i < 240; i++) {
    const up = await fetch(`${BASE}/healthz`).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not start");
}

async function benchLayout(layout) {
  console.log(`\n== layout ${layout}: seeding ${Number(values.moves).toLocaleString()} moves`);
  const { state, seedSeconds } = seedState(layout);
  const file = databaseFile(state);
  const databaseBytes = statSync(file).size;
  const { samples, maxCursor, skus } = samplesFrom(file, SAMPLES);

  const server = spawn(
    "wrangler",
    ["dev", "--local", "--persist-to", state, "--ip", "127.0.0.1", "--port", PORT, "--test-scheduled", "--show-interactive-dev-session=false"],
    { stdio: ["ignore", "ignore", "inherit"], env: wranglerEnv },
  );
  try {
    await waitForServer();
    const cases = {};
    const run = async (name, paths) => {
      if (values.cases && !name.includes(values.cases)) return;
      cases[name] = await measure(paths);
      const c = cases[name];
      console.log(`${name.padEnd(40)} p50 ${String(c.p50_ms).padStart(7)} ms  p99 ${String(c.p99_ms).padStart(7)} ms  http p50 ${c.http_p50_ms} ms  rows ${c.rows}  slowest ${c.slowest.ms} ms ${c.slowest.path}`);
    };

    await run("feed first page", samples.map(() => "/v1/moves?limit=100"));
    await run("feed deep page", samples.map(() => `/v1/moves?limit=100&after=${maxCursor - 1_000 - pick(1_000)}`));
    await run("feed random page", samples.map(() => `/v1/moves?limit=100&after=${pick(maxCursor)}`));
    const combos = [...FILTERS.map((f) => [f]), ...FILTERS.flatMap((a, i) => FILTERS.slice(i + 1).map((b) => [a, b]))];
    for (const filters of combos) {
      for (const withCursor of [false, true]) {
        await run(`moves ${filters.join("+")}${withCursor ? " +after" : ""}`, samples.map((s) => movesQuery(filters, s, withCursor)));
      }
    }
    const afterSku = () => `S-${String(pick(skus)).padStart(6, "0")}`;
    await run("stock page", samples.map(() => `/v1/stock?limit=100&after_sku=${afterSku()}`));
    await run("stock in_stock page", samples.map(() => `/v1/stock?limit=100&in_stock=true&after_sku=${afterSku()}`));
    await run("stock out-of-stock page", samples.map(() => `/v1/stock?limit=100&in_stock=false&after_sku=${afterSku()}`));
    // (v1.2) The seed puts each SKU at one of five locations (`S-wh-0` … `S-wh-4`).
    const place = () => `S-wh-${pick(5)}`;
    await run("moves location", samples.map(() => `/v1/moves?limit=100&location=${place()}`));
    await run("moves location +after", samples.map(() => `/v1/moves?limit=100&location=${place()}&after=${pick(maxCursor)}`));
    await run("moves location+since", samples.map((s) => `/v1/moves?limit=100&location=${place()}&since=${s.window[0]}`));
    await run("stock location page", samples.map(() => `/v1/stock?limit=100&location=${place()}&after_sku=${afterSku()}`));
    await run("stock location in_stock page", samples.map(() => `/v1/stock?limit=100&location=${place()}&in_stock=true&after_sku=${afterSku()}`));
    // (v1.2) Actors as the seed names them: the checkout (most moves), ten operators, five warehouses, the alarms.
    const actor = () => [`checkout`, `system`, `S-ops-${pick(10)}`, `S-warehouse-${pick(5)}`][pick(4)];
    await run("moves actor", samples.map(() => `/v1/moves?limit=100&actor=${actor()}`));
    await run("moves actor +after", samples.map(() => `/v1/moves?limit=100&actor=${actor()}&after=${pick(maxCursor)}`));
    await run("moves actor+since", samples.map((s) => `/v1/moves?limit=100&actor=${actor()}&since=${s.window[0]}`));
    await run("moves actor+type", samples.map(() => `/v1/moves?limit=100&actor=S-ops-${pick(10)}&type=received`));
    await run("moves actor+sku", samples.map((s) => `/v1/moves?limit=100&actor=checkout&sku=${s.rows.base.sku}`));
    const today = new Date().toISOString().slice(0, 10);
    const daysBefore = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    await run("report one SKU 30 days", samples.map((s) => `/v1/reports/daily?sku=${s.rows.base.sku}&from=${daysBefore(29)}&to=${today}`));
    await run("report one SKU 366 days", samples.map((s) => `/v1/reports/daily?sku=${s.rows.base.sku}&from=${daysBefore(365)}&to=${today}`));

    if (values.cases) return { layout, cases };
    // One retention run: the cron deletes what is older than 90 days (the seed's oldest day).
    const db = new DatabaseSync(file, { readOnly: true });
    const count = () => db.prepare("SELECT count(*) AS n FROM moves").get().n;
    const before = count();
    const began = performance.now();
    const cron = await fetch(`${BASE}/__scheduled?cron=${encodeURIComponent("17 3 * * *")}`);
    const retentionMs = performance.now() - began;
    const deleted = before - count();
    db.close();
    const retention = {
      ok: cron.ok,
      deleted,
      ms: Math.round(retentionMs),
      statements: Math.ceil(deleted / 1_000) + 2,
      rows_per_statement_max: 1_000,
    };
    console.log(`retention: deleted ${deleted.toLocaleString()} moves in ${retention.ms} ms, ${retention.statements} statements`);
    return { layout, moves: Number(values.moves), skus, days: Number(values.days), seed_seconds: seedSeconds, database_bytes: databaseBytes, cases, retention };
  } finally {
    server.kill("SIGINT");
    await new Promise((r) => server.on("exit", r));
    if (!values.keep) rmSync(state, { recursive: true, force: true });
  }
}

ensureDevVars();
const results = {};
for (const layout of values.layouts.split(",")) results[layout] = await benchLayout(layout);
const [first] = Object.values(results);
const report = {
  generated_at: new Date().toISOString(),
  note: "p50_ms/p99_ms: inside the Worker (Server-Timing op;dur); http_*: the same requests timed by the client",
  moves: first.moves,
  skus: first.skus,
  seed_seconds: first.seed_seconds,
  database_bytes: first.database_bytes,
  cases: first.cases,
  retention: first.retention,
  layouts: results,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${values.out}`);
