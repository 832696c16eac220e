// `npm run bench`, the D1-outage case: the hot path and 2-line carts with D1 healthy and with D1 failing, in
// alternating rounds of one run. D1 fails for real: the read model's tables that every projection and
// listing write names are renamed away, so each write is refused by D1 itself. Afterwards D1 must converge
// with every move counted once. Prints one line, `BENCH_OUTAGE {...}`, that bench/run.mjs reads.
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { product } from "./objects";

const inventory = exports.InventoryService;
const ROUND_MS = 8_000;
const ROUNDS = 2;
const HOT_CALLERS = 64;
const CART_CALLERS = 24;
const CART_SKUS = 5;
const STOCK = 1_000_000;
/** The read model's tables that projection and listing batches write by name (see test/projection.test.ts). */
const WRITTEN_TABLES = ["stock", "reservations", "orders"];
const runId = Date.now().toString(36);

async function setD1Failing(failing: boolean) {
  for (const table of WRITTEN_TABLES) {
    const [from, to] = failing ? [table, `${table}_offline`] : [`${table}_offline`, table];
    await env.DB.prepare(`ALTER TABLE ${from} RENAME TO ${to}`).run();
  }
}

interface Run {
  rate: number;
  p50: number;
  p99: number;
  failures: number;
}

/** `callers` loops of `work` for `ms`; the rate counts successful calls per second. */
async function forAWhile(callers: number, ms: number, work: (caller: number, i: number) => Promise<boolean>): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  let issued = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (Date.now() - started < ms) {
        const t0 = Date.now();
        if (await work(caller, issued++)) latencies.push(Date.now() - t0);
        else failures += 1;
      }
    }),
  );
  const elapsed = Date.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: Math.round((latencies.length / elapsed) * 1000), p50: at(0.5), p99: at(0.99), failures };
}

async function stocked(sku: string) {
  const r = await inventory.receive(sku, { quantity: STOCK });
  if (!r.ok) throw new Error(r.error.message);
}

/** The hot path, as in the main benchmark: one SKU, each caller's cart growing by one unit a call. */
async function hotPath(tag: string, sku: string): Promise<Run> {
  const held = Array.from({ length: HOT_CALLERS }, () => 0);
  return forAWhile(HOT_CALLERS, ROUND_MS, async (caller) => {
    const lines = [{ sku, quantity: held[caller]! + 1 }];
    const r = await inventory.putReservation(`hot-${tag}-${caller}`, { holder: "bench", lines, ttl_seconds: 3600 });
    if (r.ok) held[caller]! += 1;
    return r.ok;
  });
}

/** Carts of two lines over five SKUs; every other cart is committed into an order. */
async function carts(tag: string, skus: string[]): Promise<Run> {
  return forAWhile(CART_CALLERS, ROUND_MS, async (_caller, i) => {
    const id = `cart-${tag}-${i}`;
    const lines = [skus[i % skus.length]!, skus[(i + 1) % skus.length]!].map((sku) => ({ sku, quantity: 1 }));
    const put = await inventory.putReservation(id, { holder: "bench", lines, ttl_seconds: 3600 });
    if (!put.ok) return false;
    if (i % 2 === 1) return true;
    const committed = await inventory.commitReservation(id, { order_id: `order-${tag}-${i}` });
    return committed.ok;
  });
}

/** Each SKU's moves in D1: as many as its ledger has, each seq once. */
async function converged(skus: string[]): Promise<{ skus: number; moves: number; waited_ms: number }> {
  const started = Date.now();
  let moves = 0;
  for (const sku of skus) {
    const got = await inventory.getProduct(sku);
    if (!got.ok) throw new Error(got.error.message);
    const version = "version" in got.value ? got.value.version : 0;
    for (;;) {
      await product(sku).flush();
      const row = await env.DB.prepare("SELECT count(*) AS n, count(DISTINCT seq) AS seqs, max(seq) AS last FROM moves WHERE sku = ?")
        .bind(sku)
        .first<{ n: number; seqs: number; last: number }>();
      if (row && row.n === version) {
        expect(row.seqs).toBe(version);
        expect(row.last).toBe(version);
        moves += row.n;
        break;
      }
      if (Date.now() - started > 180_000) throw new Error(`${sku}: D1 has ${row?.n} of ${version} moves`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { skus: skus.length, moves, waited_ms: Date.now() - started };
}

const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);

it("keeps selling while D1 fails", async () => {
  const runs = { healthy: { hot: [] as Run[], carts: [] as Run[] }, failing: { hot: [] as Run[], carts: [] as Run[] } };
  const skus: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const state of ["healthy", "failing"] as const) {
      const tag = `${runId}-${round}-${state}`;
      const hot = `OUTAGE-HOT-${tag}`;
      const cartSkus = Array.from({ length: CART_SKUS }, (_, i) => `OUTAGE-CART-${tag}-${i}`);
      for (const sku of [hot, ...cartSkus]) await stocked(sku);
      await Promise.all([hot, ...cartSkus].map((sku) => product(sku).flush()));
      skus.push(hot, ...cartSkus);
      if (state === "failing") await setD1Failing(true);
      try {
        runs[state].hot.push(await hotPath(tag, hot));
        runs[state].carts.push(await carts(tag, cartSkus));
      } finally {
        if (state === "failing") await setD1Failing(false);
      }
    }
  }
  const convergence = await converged(skus);
  const summary = (rs: Run[]) => ({ rate: mean(rs.map((r) => r.rate)), p50: mean(rs.map((r) => r.p50)), p99: mean(rs.map((r) => r.p99)), failures: rs.reduce((n, r) => n + r.failures, 0) });
  const result = {
    outage: {
      healthy: { hot: summary(runs.healthy.hot), carts: summary(runs.healthy.carts) },
      failing: { hot: summary(runs.failing.hot), carts: summary(runs.failing.carts) },
      hot_ratio: Number((mean(runs.failing.hot.map((r) => r.rate)) / mean(runs.healthy.hot.map((r) => r.rate))).toFixed(3)),
      carts_ratio: Number((mean(runs.failing.carts.map((r) => r.rate)) / mean(runs.healthy.carts.map((r) => r.rate))).toFixed(3)),
      convergence,
    },
  };
  console.log(`BENCH_OUTAGE ${JSON.stringify(result)}`);
  expect(runs.failing.carts.every((r) => r.failures === 0)).toBe(true);
});
