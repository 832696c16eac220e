// `npm run bench`: measures stockwell on this machine and writes bench/results/latest.json.
//  1. In the runtime (vitest + workerd, bench/in-runtime.bench.ts): stockwell head to head with the minimal
//     reference paths (bench/reference.ts) in alternating rounds, storage work per hold, many SKUs, ledger
//     length, projection lag, history at a million moves, and the seed's D1 checkouts as baselines.
//  2. Over HTTP against `npm start` (its own port and state folder): the hot-SKU test and /healthz.
// Not part of `npm test`; takes a few minutes on 2 cores.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";

const PORT = Number(process.env.BENCH_PORT ?? 8797);
const BASE = `http://127.0.0.1:${PORT}`;
const CALLERS = 64;
const HTTP_STOCK = 2_000;
const WRITE = { authorization: "Bearer local-write-token", "content-type": "application/json" };

function inRuntime() {
  console.log("1/2 in-runtime benchmark (vitest + workerd) …");
  const run = spawnSync("vitest", ["run", "--config", "vitest.bench.config.ts"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const lines = `${run.stdout}\n${run.stderr}`.split("\n");
  const resultOf = (tag) => {
    const line = lines.find((l) => l.includes(`${tag} `));
    return line ? JSON.parse(line.slice(line.indexOf(`${tag} `) + tag.length + 1)) : null;
  };
  const main = resultOf("BENCH_RESULT");
  const events = resultOf("BENCH_EVENTS");
  const cpu = resultOf("BENCH_CPU");
  const outage = resultOf("BENCH_OUTAGE");
  const d1Cost = resultOf("BENCH_D1COST");
  if (run.status !== 0 || !main || !events || !cpu || !outage || !d1Cost) {
    console.error(run.stdout, run.stderr);
    throw new Error("the in-runtime benchmark failed");
  }
  return { ...main, ...events, ...cpu, ...outage, ...d1Cost };
}

async function startServer() {
  const state = ".wrangler/bench-state";
  rmSync(state, { recursive: true, force: true });
  const server = spawn("node", ["scripts/start.mjs", "--persist-to", state], {
    env: { ...process.env, PORT: String(PORT) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  process.kill(-server.pid);
  throw new Error(`npm start did not answer on ${BASE}:\n${log}`);
}

async function load(work, { total = Infinity } = {}) {
  const latencies = [];
  let issued = 0;
  let stop = false;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      while (!stop && issued < total) {
        issued += 1;
        const t0 = performance.now();
        const more = await work(caller);
        latencies.push(performance.now() - t0);
        if (!more) stop = true;
      }
    }),
  );
  return { latencies, elapsedMs: performance.now() - started };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
};

async function overHttp() {
  console.log("2/2 HTTP benchmark against npm start …");
  const server = await startServer();
  try {
    const sku = `HTTP-HOT-${Date.now().toString(36)}`;
    const received = await fetch(`${BASE}/v1/products/${sku}/receive`, {
      method: "POST",
      headers: WRITE,
      body: JSON.stringify({ quantity: HTTP_STOCK }),
    });
    if (received.status !== 201) throw new Error(`receive: ${received.status}`);
    const carts = Array(CALLERS).fill(0);
    let granted = 0;
    const holds = await load(async (caller) => {
      const res = await fetch(`${BASE}/v1/reservations/http-${sku}-${caller}`, {
        method: "PUT",
        headers: WRITE,
        body: JSON.stringify({ holder: "bench", lines: [{ sku, quantity: carts[caller] + 1 }], ttl_seconds: 3600 }),
      });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 201) {
        carts[caller] += 1;
        granted += 1;
        return true;
      }
      if (res.status !== 409) throw new Error(`PUT: ${res.status}`);
      return false;
    });
    if (granted !== HTTP_STOCK) throw new Error(`granted ${granted} of ${HTTP_STOCK}`);
    const health = await load(
      async () => {
        const res = await fetch(`${BASE}/healthz`);
        await res.arrayBuffer();
        return res.ok;
      },
      { total: 5_000 },
    );
    return {
      holds_per_s: Math.round((granted / holds.elapsedMs) * 1000),
      p99_ms: percentile(holds.latencies, 99),
      healthz_per_s: Math.round((health.latencies.length / health.elapsedMs) * 1000),
    };
  } finally {
    process.kill(-server.pid, "SIGTERM");
  }
}

const runtime = inRuntime();
const http = await overHttp();
const ratio = (a, b) => Number((a / b).toFixed(3));
const results = {
  reference: runtime.reference,
  ratios: {
    product_vs_min_product: ratio(runtime.hot_sku.product_alone_per_s, runtime.reference.min_product_per_s),
    path_vs_min_path: ratio(runtime.hot_sku.holds_per_s, runtime.reference.min_path_per_s),
    path_vs_min_path_via_entrypoint: ratio(runtime.hot_sku.holds_per_s, runtime.reference.min_path_via_entrypoint_per_s),
    coordinator_vs_min_path: ratio(runtime.hot_sku.coordinator_direct_per_s, runtime.reference.min_path_per_s),
    path_5_locations_vs_min_path_via_entrypoint: ratio(runtime.hot_sku.five_locations_holds_per_s, runtime.reference.min_path_via_entrypoint_per_s),
    path_5_locations_vs_path: ratio(runtime.hot_sku.five_locations_holds_per_s, runtime.hot_sku.holds_per_s),
    cart3_vs_min_cart3: ratio(runtime.many_skus.carts_per_s, runtime.reference.min_cart3_per_s),
    cart3_vs_min_cart3_via_entrypoint: ratio(runtime.many_skus.carts_per_s, runtime.reference.min_cart3_via_entrypoint_per_s),
    bundle_cart_vs_min_cart3: ratio(runtime.bundle_carts.carts_per_s, runtime.reference.min_cart3_per_s),
    bundle_cart_vs_cart3: ratio(runtime.bundle_carts.carts_per_s, runtime.many_skus.carts_per_s),
  },
  hot_sku: runtime.hot_sku,
  per_1000_holds: runtime.per_1000_holds,
  many_skus: runtime.many_skus,
  bundle_carts: runtime.bundle_carts,
  ledger_length: runtime.ledger_length,
  projection: runtime.projection,
  events: runtime.events,
  cpu: runtime.cpu,
  history: runtime.history,
  outage: runtime.outage,
  d1_cost: runtime.d1_cost,
  http,
  baselines: runtime.baselines,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", `${JSON.stringify(results, null, 2)}\n`);

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const { reference, ratios, hot_sku: hot, many_skus: many } = results;
const target = (value, floor) => `${value} (target ≥ ${floor})`;
const rows = [
  ["product object alone, holds/s", hot.product_alone_per_s, `minimal product ${reference.min_product_per_s}/s`, target(ratios.product_vs_min_product, 0.95)],
  ["full reservation path, holds/s", hot.holds_per_s, `minimal crash-safe path ${reference.min_path_per_s}/s`, target(ratios.path_vs_min_path, 0.9)],
  ["  against the minimal path behind an entrypoint", hot.holds_per_s, `minimal path via entrypoint ${reference.min_path_via_entrypoint_per_s}/s`, `${ratios.path_vs_min_path_via_entrypoint}`],
  ["  the same without the RPC entrypoint", hot.coordinator_direct_per_s, "called as the minimal path is", `${ratios.coordinator_vs_min_path}`],
  ["  the same path, stock over 5 locations, lines naming none", hot.five_locations_holds_per_s, `vs one location ${ratios.path_5_locations_vs_path}`, `${ratios.path_5_locations_vs_min_path_via_entrypoint}`],
  ["3-line carts over 1,000 SKUs, carts/s", many.carts_per_s, `minimal 3-line path ${reference.min_cart3_per_s}/s`, target(ratios.cart3_vs_min_cart3, 0.9)],
  ["  against the minimal 3-line path behind an entrypoint", many.carts_per_s, `minimal 3-line path via entrypoint ${reference.min_cart3_via_entrypoint_per_s}/s`, `${ratios.cart3_vs_min_cart3_via_entrypoint}`],
  ["(v1.2) 2-line carts: a bundle of 3 + 1 SKU, carts/s", results.bundle_carts.carts_per_s, `minimal 3-line path ${reference.min_cart3_per_s}/s`, `${ratios.bundle_cart_vs_min_cart3} (${ratios.bundle_cart_vs_cart3} of our 3-line carts)`],
  ["no-op Durable Object RPC, calls/s", hot.noop_rpc_per_s, "the ceiling of any call to one object here", ""],
  ["full path p50 / p99 ms (64 callers)", `${hot.p50_ms} / ${hot.p99_ms}`, `granted ${hot.granted} of ${hot.stock}: no oversell`, ""],
  ["full path p50 / p99 ms (one caller)", `${hot.single_caller_p50_ms} / ${hot.single_caller_p99_ms}`, "latency with no queue", ""],
  ["3-line cart p50 / p99 ms", `${many.p50_ms} / ${many.p99_ms}`, "", ""],
  ["ledger_length reserve+release ms", `${results.ledger_length.short_ms} / ${results.ledger_length.long_ms}`, `100 vs 100,000 moves, ratio ${results.ledger_length.ratio}`, ""],
  ["events: time added per hold", `${Math.round(results.events.overhead_ratio * 100)}%`, `one subscription to every move; ${results.events.with_events_per_s} vs ${results.events.without_events_per_s}/s`, "(target ≤ 10%)"],
  ["delivery lag p50 / p99 ms, steady", `${results.events.steady_delivery_lag_p50_ms} / ${results.events.steady_delivery_lag_p99_ms}`, "move → receiver at 20 moves/s", ""],
  ["delivery lag p50 / p99 ms, under load", `${results.events.delivery_lag_p50_ms} / ${results.events.delivery_lag_p99_ms}`, "every hot-SKU hold delivered, backlog included", ""],
  ["projection lag p50 / p99 ms", `${results.projection.lag_p50_ms} / ${results.projection.lag_p99_ms}`, `${results.projection.moves_per_s} moves/s into D1`, ""],
  ["history /v1/moves?sku p50 / p99 ms", `${results.history.sku_p50_ms} / ${results.history.sku_p99_ms}`, `order_id p50 ${results.history.order_p50_ms} ms, daily p50 ${results.history.daily_p50_ms} ms`, ""],
  ["D1 failing: hot path, holds/s", results.outage.failing.hot.rate, `healthy ${results.outage.healthy.hot.rate}/s in the same run`, target(results.outage.hot_ratio, 0.9)],
  ["D1 failing: 2-line carts, half committed, /s", results.outage.failing.carts.rate, `healthy ${results.outage.healthy.carts.rate}/s; D1 then converged: ${results.outage.convergence.moves} moves, each once`, target(results.outage.carts_ratio, 0.9)],
  ["D1 per projected move: statements, rows written, bytes", `${results.d1_cost.one_move_per_batch.statements_per_move}, ${results.d1_cost.one_move_per_batch.rows_written_per_move}, ${results.d1_cost.one_move_per_batch.bytes_per_move}`, `sent 100 a batch: ${results.d1_cost.hundred_moves_per_batch.statements_per_move}, ${results.d1_cost.hundred_moves_per_batch.rows_written_per_move}, ${results.d1_cost.hundred_moves_per_batch.bytes_per_move}`, ""],
  ["http holds/s, p99 ms", `${results.http.holds_per_s}, ${results.http.p99_ms}`, `/healthz ${results.http.healthz_per_s}/s`, ""],
  ["seed's full D1 fix, holds/s", results.baselines.d1_seed_full.holds_per_s, `oversold ${results.baselines.d1_seed_full.oversold}`, ""],
  ["seed's guarded UPDATE alone, holds/s", results.baselines.d1_guarded.holds_per_s, `oversold ${results.baselines.d1_guarded.oversold}`, ""],
  ["seed's naive read-then-write, holds/s", results.baselines.d1_naive.holds_per_s, `oversold ${results.baselines.d1_naive.oversold}`, ""],
];
console.log(`\nstockwell benchmark — ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const width = [40, 14, 44];
for (const [a, b, c, d] of rows) {
  console.log(`${String(a).padEnd(width[0])} ${String(b).padStart(width[1])}  ${String(c).padEnd(width[2])} ${d}`);
}
const us = results.cpu.us_per_hold;
console.log("\nCPU per hold, µs (every workerd process, the run and what it leaves to do, medians):");
console.log(`  product ${us.product}, without its events ${us.product_without_events}, without both outboxes ${us.product_without_outboxes}, minimal product ${us.min_product}`);
console.log(`  full path ${us.path}, minimal path via entrypoint ${us.min_path_via_entrypoint}`);
console.log(`  reservation object directly ${us.path_direct}, the same without the product's outboxes ${us.path_direct_without_outboxes}, minimal path ${us.min_path}`);
console.log("\nstorage work per 1,000 holds (statements, write segments, alarm writes, D1 calls):");
const cells = (c) => [c.statements, c.write_segments, c.alarm_writes, c.d1_calls ?? ""].map((n) => String(n).padStart(7)).join(" ");
const line = (name, c) => {
  console.log(`  ${name.padEnd(36)} ${cells(c)}`);
  for (const [kind, own] of Object.entries(c.by_object)) console.log(`    ${kind.padEnd(34)} ${cells(own)}`);
};
line("full path (every object)", results.per_1000_holds.full_path);
line("product object alone", results.per_1000_holds.product_alone);
line("3-line carts (per 1,000 carts)", many.per_1000_carts);
console.log("\nwritten: bench/results/latest.json");
