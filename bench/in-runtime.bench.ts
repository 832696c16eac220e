// The in-runtime half of `npm run bench`: runs inside workerd (vitest + @cloudflare/vitest-plugin) with real
// Durable Objects and local D1, so the load is not capped by the HTTP dev proxy. It prints one line,
// `BENCH_RESULT {...}`, that bench/run.mjs reads. Not part of `npm test`.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { installCounters, per1000, snapshotCounts, type Counts } from "./counters";
import { median, minProduct, minReservation, minService, product, reservation } from "./objects";

const CALLERS = 64;
const HOT_STOCK = 5_000;
/**
 * Carts in each of the three many-SKU runs (stockwell, the minimal path, the minimal path behind the
 * entrypoint), each a new reservation object. Every SQLite-backed object keeps three files open while the
 * runtime lives, and this machine allows 20,000 descriptors: all carts and SKUs together must stay well
 * under that.
 */
const CARTS = 1_000;
const CART_SKUS = 1_000;
const READ = { authorization: "Bearer bench-read-token" };
const inventory = exports.InventoryService;

interface Run {
  count: number;
  elapsedMs: number;
  latencies: number[];
}

/** `callers` loops calling `work(call, caller)` until one returns false (or `total` calls are made). */
async function load(
  callers: number,
  work: (i: number, caller: number) => Promise<boolean>,
  total = Infinity,
): Promise<Run> {
  const latencies: number[] = [];
  let issued = 0;
  let stop = false;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      while (!stop && issued < total) {
        const i = issued++;
        const t0 = Date.now();
        const more = await work(i, caller);
        latencies.push(Date.now() - t0);
        if (!more) stop = true;
      }
    }),
  );
  return { count: latencies.length, elapsedMs: Date.now() - started, latencies };
}

const rate = (count: number, ms: number) => Math.round((count / Math.max(ms, 1)) * 1000);
function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** Counts of storage work per 1,000 units of `work`. */
async function counted<T>(units: (result: T) => number, work: () => Promise<T>): Promise<{ result: T; per_1000: Counts }> {
  const before = snapshotCounts();
  const result = await work();
  return { result, per_1000: per1000(before, snapshotCounts(), units(result)) };
}
const runId = Date.now().toString(36);

async function receive(sku: string, quantity: number) {
  const r = await inventory.receive(sku, { quantity });
  if (!r.ok) throw new Error(r.error.message);
}

/** Projection lag of a SKU's moves from the data itself: D1 stamps `projected_at` on insert. */
async function projectionLag(sku: string, fromSeq: number) {
  await product(sku).flush();
  const { results } = await env.DB.prepare("SELECT at, projected_at FROM moves WHERE sku = ? AND seq >= ? ORDER BY seq")
    .bind(sku, fromSeq)
    .all<{ at: string; projected_at: string }>();
  const lags = results.map((r) => Date.parse(r.projected_at) - Date.parse(r.at));
  const first = Date.parse(results[0]!.at);
  const last = Math.max(...results.map((r) => Date.parse(r.projected_at)));
  return { lags, moves: results.length, spanMs: last - first };
}


/** Grows one cart per caller by one unit per call, on one SKU, until `HOT_STOCK` holds or a refusal. */
async function growingCarts(hold: (cart: string, quantity: number) => Promise<boolean>, prefix: string): Promise<Run> {
  const carts = Array.from({ length: CALLERS }, () => 0);
  return load(
    CALLERS,
    async (_i, caller) => {
      const ok = await hold(`${prefix}-${caller}`, carts[caller]! + 1);
      if (ok) carts[caller]! += 1;
      return ok;
    },
    HOT_STOCK,
  );
}

/**
 * stockwell against the reference implementations (bench/reference.ts), in alternating rounds so that both
 * meet the runtime in the same state: every round starts with the previous one's projection sent to D1.
 * Rates are the medians of the rounds; storage work is counted over stockwell's last round.
 */
async function headToHead(rounds = 3) {
  const runs = {
    min_product: [] as number[],
    product: [] as number[],
    min_path: [] as number[],
    min_path_via_entrypoint: [] as number[],
    path: [] as number[],
    path_5_locations: [] as number[],
    coordinator: [] as number[],
  };
  // (v1.2) Five active locations for the 5-location case: its lines name none, so each is allocated.
  const places = Array.from({ length: 5 }, (_, i) => `BENCH-LOC-${runId}-${i}`);
  for (const [i, id] of places.entries()) {
    const res = await exports.default.fetch(`https://bench.test/v1/locations/${id}`, {
      method: "PUT",
      headers: { authorization: "Bearer bench-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ name: `Bench ${i}`, priority: i }),
    });
    if (res.status !== 201) throw new Error(`location ${id}: ${res.status}`);
  }
  const latencies: number[] = [];
  let granted = 0;
  let productCounts: Counts | undefined;
  let pathCounts: Counts | undefined;
  for (let round = 0; round < rounds; round++) {
    const tag = `${runId}-${round}`;

    const minSku = `MIN-HOT-${tag}`;
    await minProduct(minSku).receive(HOT_STOCK);
    const min = await growingCarts((cart) => minProduct(minSku).hold(cart, 1), "min");
    runs.min_product.push(rate(min.count, min.elapsedMs));

    const directSku = `BENCH-DIRECT-${tag}`;
    await receive(directSku, HOT_STOCK);
    await product(directSku).flush();
    const direct = await counted(
      (r: Run) => r.count,
      () =>
        growingCarts(
          async (cart, q) => (await product(directSku).hold(directSku, cart, q, Date.now() + 3_600_000, "updated", "bench")).ok,
          `direct-${tag}`,
        ),
    );
    runs.product.push(rate(direct.result.count, direct.result.elapsedMs));
    productCounts = direct.per_1000;
    await product(directSku).flush();

    const minPathSku = `MIN-PATH-${tag}`;
    await minProduct(minPathSku).receive(HOT_STOCK);
    const minPath = await growingCarts((cart) => minReservation(cart).put(cart, [minPathSku]), `min-path-${tag}`);
    runs.min_path.push(rate(minPath.count, minPath.elapsedMs));

    // The same minimal path behind the smallest entrypoint: the hop a checkout Worker's call pays anyway.
    const minEntrySku = `MIN-ENTRY-${tag}`;
    await minProduct(minEntrySku).receive(HOT_STOCK);
    const minEntry = await growingCarts((cart) => minService.put(cart, [minEntrySku]), `min-entry-${tag}`);
    runs.min_path_via_entrypoint.push(rate(minEntry.count, minEntry.elapsedMs));

    // The full path as a checkout Worker calls it: the RPC entrypoint, the cart's coordinator, the product.
    const hotSku = `BENCH-HOT-${tag}`;
    await receive(hotSku, HOT_STOCK);
    await product(hotSku).flush();
    const path = await counted(
      (r: Run) => r.count,
      () =>
        growingCarts(async (cart, q) => {
          const r = await inventory.putReservation(cart, { holder: "bench", lines: [{ sku: hotSku, quantity: q }], ttl_seconds: 3600 });
          if (!r.ok && r.error.code !== "insufficient_stock") throw new Error(r.error.message);
          return r.ok;
        }, `hot-${tag}`),
    );
    runs.path.push(rate(path.result.count, path.result.elapsedMs));
    latencies.push(...path.result.latencies);
    pathCounts = path.per_1000;
    const stock = await inventory.getProduct(hotSku);
    if (!stock.ok || "bundle" in stock.value) throw new Error(`${hotSku} has no stock`);
    expect(stock.value.reserved).toBe(path.result.count);
    granted += stock.value.reserved;
    await product(hotSku).flush();

    // (v1.2) The same full path on a SKU whose stock is spread over five locations, lines naming none.
    const spreadSku = `BENCH-5LOC-${tag}`;
    for (const place of places) {
      const r = await inventory.receive(spreadSku, { quantity: HOT_STOCK / places.length, location: place });
      if (!r.ok) throw new Error(r.error.message);
    }
    await product(spreadSku).flush();
    const spread = await growingCarts(async (cart, q) => {
      const r = await inventory.putReservation(cart, { holder: "bench", lines: [{ sku: spreadSku, quantity: q }], ttl_seconds: 3600 });
      if (!r.ok && r.error.code !== "insufficient_stock") throw new Error(r.error.message);
      return r.ok;
    }, `loc5-${tag}`);
    runs.path_5_locations.push(rate(spread.count, spread.elapsedMs));
    const spreadStock = await inventory.getProduct(spreadSku);
    if (!spreadStock.ok || "bundle" in spreadStock.value) throw new Error(`${spreadSku} has no stock`);
    expect(spreadStock.value.reserved).toBe(spread.count);
    for (const l of spreadStock.value.locations) expect(l.available).toBeGreaterThanOrEqual(0);
    await product(spreadSku).flush();

    // The same coordinator and product, called as the reference path is: without the entrypoint in front.
    const coordinatorSku = `BENCH-COORD-${tag}`;
    await receive(coordinatorSku, HOT_STOCK);
    await product(coordinatorSku).flush();
    const coordinator = await growingCarts(async (cart, q) => {
      const r = await reservation(cart).put(cart, { holder: "bench", lines: [{ sku: coordinatorSku, quantity: q }], ttl_seconds: 3600 }, "bench");
      return r.ok;
    }, `coord-${tag}`);
    runs.coordinator.push(rate(coordinator.count, coordinator.elapsedMs));
    await product(coordinatorSku).flush();
  }

  // One caller alone, so latency is the path's own and not a queue's.
  const singleSku = `BENCH-SINGLE-${runId}`;
  await receive(singleSku, 1_000);
  let singleHeld = 0;
  const single = await load(
    1,
    async () => {
      const r = await inventory.putReservation(`single-${runId}`, { holder: "bench", lines: [{ sku: singleSku, quantity: singleHeld + 1 }] });
      if (!r.ok) throw new Error(r.error.message);
      singleHeld += 1;
      return true;
    },
    500,
  );

  // Projection lag of the last round's full-path holds, from the data itself (D1 stamps `projected_at`).
  const projection = await projectionLag(`BENCH-HOT-${runId}-${rounds - 1}`, 2);
  expect(projection.moves).toBe(HOT_STOCK);

  const noopStub = product(`BENCH-NOOP-${runId}`);
  const noop = await load(CALLERS, async () => (await noopStub.ping()) === 1, HOT_STOCK);
  return {
    reference: {
      min_product_per_s: median(runs.min_product),
      min_path_per_s: median(runs.min_path),
      min_path_via_entrypoint_per_s: median(runs.min_path_via_entrypoint),
    },
    hot_sku: {
      holds_per_s: median(runs.path),
      five_locations_holds_per_s: median(runs.path_5_locations),
      product_alone_per_s: median(runs.product),
      coordinator_direct_per_s: median(runs.coordinator),
      noop_rpc_per_s: rate(noop.count, noop.elapsedMs),
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      single_caller_p50_ms: percentile(single.latencies, 50),
      single_caller_p99_ms: percentile(single.latencies, 99),
      granted,
      stock: HOT_STOCK * rounds,
      rounds: runs,
    },
    per_1000_holds: { full_path: pathCounts!, product_alone: productCounts! },
    projection: {
      lag_p50_ms: percentile(projection.lags, 50),
      lag_p99_ms: percentile(projection.lags, 99),
      moves_per_s: rate(projection.moves, projection.spanMs),
    },
  };
}

/** 3-line carts over `CART_SKUS` SKUs, each a new reservation, against the reference, in alternating rounds. */
async function manySkus(rounds = 2) {
  const carts = Math.floor(CARTS / rounds);
  const skus = Array.from({ length: CART_SKUS }, (_, i) => `BENCH-MANY-${runId}-${i}`);
  const minSkus = Array.from({ length: CART_SKUS }, (_, i) => `MIN-MANY-${runId}-${i}`);
  await load(CALLERS, async (i) => (await inventory.receive(skus[i]!, { quantity: 1_000 })).ok, skus.length);
  await Promise.all(minSkus.map((sku) => minProduct(sku).receive(1_000)));
  let state = 7;
  const pickThree = () => {
    const picked = new Set<number>();
    while (picked.size < 3) picked.add((state = (state * 48271) % 2147483647) % CART_SKUS);
    return [...picked];
  };
  // (v1.2) 2-line carts: one of 50 bundles of 3 components (the first 150 SKUs), and one plain SKU of the
  // rest. Half as many carts as the 3-line runs: every cart is a new object, and descriptors are counted.
  const kits = Array.from({ length: 50 }, (_, i) => `BENCH-KIT-${runId}-${i}`);
  for (const [i, kit] of kits.entries()) {
    const components = [0, 1, 2].map((j) => ({ sku: skus[i * 3 + j]!, quantity: 1 }));
    const defined = await inventory.putBundle(kit, { components });
    if (!defined.ok) throw new Error(defined.error.message);
  }
  const pickKitCart = () => {
    const kit = (state = (state * 48271) % 2147483647) % kits.length;
    const plain = 150 + ((state = (state * 48271) % 2147483647) % (CART_SKUS - 150));
    return [{ sku: kits[kit]!, quantity: 1 }, { sku: skus[plain]!, quantity: 1 }];
  };
  const bundleCarts: number[] = [];
  const bundleLatencies: number[] = [];
  const ours: number[] = [];
  const reference: number[] = [];
  const referenceViaEntrypoint: number[] = [];
  const latencies: number[] = [];
  let cartCounts: Counts | undefined;
  for (let round = 0; round < rounds; round++) {
    const min = await load(
      CALLERS,
      async (i) => {
        if (!(await minReservation(`min-cart-${runId}-${round}-${i}`).put("r", pickThree().map((s) => minSkus[s]!)))) throw new Error("short");
        return true;
      },
      carts,
    );
    reference.push(rate(min.count, min.elapsedMs));
    const minEntry = await load(
      CALLERS,
      async (i) => {
        if (!(await minService.put(`min-entry-cart-${runId}-${round}-${i}`, pickThree().map((s) => minSkus[s]!)))) throw new Error("short");
        return true;
      },
      carts,
    );
    referenceViaEntrypoint.push(rate(minEntry.count, minEntry.elapsedMs));
    const run = await counted(
      (r: Run) => r.count,
      () =>
        load(
          CALLERS,
          async (i) => {
            const r = await inventory.putReservation(`many-${runId}-${round}-${i}`, {
              holder: "bench",
              lines: pickThree().map((s) => ({ sku: skus[s]!, quantity: 1 })),
              ttl_seconds: 3600,
            });
            if (!r.ok) throw new Error(r.error.message);
            return true;
          },
          carts,
        ),
    );
    ours.push(rate(run.result.count, run.result.elapsedMs));
    latencies.push(...run.result.latencies);
    cartCounts = run.per_1000;
    await Promise.all(skus.map((sku) => product(sku).flush()));
    const kitRun = await load(
      CALLERS,
      async (i) => {
        const r = await inventory.putReservation(`kit-${runId}-${round}-${i}`, { holder: "bench", lines: pickKitCart(), ttl_seconds: 3600 });
        if (!r.ok) throw new Error(r.error.message);
        return true;
      },
      Math.floor(carts / 2),
    );
    bundleCarts.push(rate(kitRun.count, kitRun.elapsedMs));
    bundleLatencies.push(...kitRun.latencies);
    await Promise.all(skus.map((sku) => product(sku).flush()));
  }
  return {
    min_cart3_per_s: median(reference),
    min_cart3_via_entrypoint_per_s: median(referenceViaEntrypoint),
    many_skus: {
      carts_per_s: median(ours),
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      per_1000_carts: cartCounts!,
      rounds: { reference, reference_via_entrypoint: referenceViaEntrypoint, ours, bundle_carts: bundleCarts },
    },
    bundle_carts: {
      carts_per_s: median(bundleCarts),
      p50_ms: percentile(bundleLatencies, 50),
      p99_ms: percentile(bundleLatencies, 99),
    },
  };
}

/** Appends `moves` receipts straight into a ledger, as if they had been received one by one. */
async function growLedger(sku: string, moves: number) {
  await receive(sku, 1);
  await runInDurableObject(product(sku), (_instance: unknown, state: DurableObjectState) => {
    const sql = state.storage.sql;
    state.storage.transactionSync(() => {
      const base = sql.exec<{ at_ms: number }>("SELECT at_ms FROM stock_moves WHERE seq = 1").one().at_ms;
      sql.exec(
        `WITH RECURSIVE n(seq) AS (SELECT 2 UNION ALL SELECT seq + 1 FROM n WHERE seq < ?)
         INSERT INTO stock_moves (seq, type, quantity, on_hand, reserved, committed, at_ms)
         SELECT seq, 'received', 1, seq, 0, 0, ? FROM n`,
        moves,
        base,
      );
      sql.exec("UPDATE projection SET projected_seq = ?", moves);
    });
  });
  // The object keeps its ledger in memory while it lives: restart it so it reads the grown one.
  await runInDurableObject(product(sku), (_: unknown, state: DurableObjectState) => state.abort("ledger grown")).catch(() => {});
}

async function ledgerLength() {
  const short = `BENCH-SHORT-${runId}`;
  const long = `BENCH-LONG-${runId}`;
  await growLedger(short, 100);
  await growLedger(long, 100_000);
  const timings: Record<string, number[]> = { [short]: [], [long]: [] };
  for (let i = 0; i < 520; i++) {
    for (const sku of i % 2 ? [short, long] : [long, short]) {
      // One reservation per SKU, reopened each round: the same path as a new cart, one object.
      const id = `ledger-${runId}-${sku}`;
      const t0 = Date.now();
      const held = await inventory.putReservation(id, { holder: "bench", lines: [{ sku, quantity: 1 }] });
      const released = await inventory.deleteReservation(id);
      if (!held.ok || !released.ok) throw new Error("reserve+release failed");
      if (i >= 20) timings[sku]!.push(Date.now() - t0);
    }
  }
  const shortMs = mean(timings[short]!);
  const longMs = mean(timings[long]!);
  return {
    ledger_length: {
      short_ms: Number(shortMs.toFixed(3)),
      long_ms: Number(longMs.toFixed(3)),
      ratio: Number((longMs / shortMs).toFixed(3)),
    },
  };
}

/** 1,000,000 consistent moves over 10,000 SKUs, generated by SQL inside D1 (rollups follow by trigger). */
async function seedHistory(moves: number, skus: number) {
  const perSku = moves / skus;
  const day0 = Date.parse("2026-09-01T00:00:00.000Z");
  const spanMs = 60 * 86_400_000;
  // Each SKU repeats a 5-move cycle: received 5, reserved 2, committed 2, fulfilled 2, adjusted -1.
  const onHand = 2 * Math.floor(perSku / 5);
  await env.DB.prepare(
    `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${skus - 1})
     INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at)
     SELECT printf('HIST-%05d', i), ${onHand}, 0, 0, ${onHand}, ${perSku}, '2026-10-31T00:00:00.000Z' FROM k`,
  ).run();
  // Numbers are written into the SQL: D1 binds JS numbers as REAL, and integer division must stay integer.
  const chunk = 100_000;
  const msPerMove = Math.floor(spanMs / moves);
  for (let from = 0; from < moves; from += chunk) {
    const to = Math.min(moves, from + chunk);
    await env.DB.prepare(
      `WITH RECURSIVE g(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM g WHERE n < ${to - 1}),
       m AS (SELECT n, n % ${skus} AS k, n / ${skus} + 1 AS seq, (n / ${skus}) / 5 AS c, (n / ${skus}) % 5 AS phase FROM g)
       INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available,
                          reservation_id, order_id, reason, ref, at, at_day)
       SELECT printf('HIST-%05d', k), seq,
              CASE phase WHEN 0 THEN 'received' WHEN 1 THEN 'reserved' WHEN 2 THEN 'committed'
                         WHEN 3 THEN 'fulfilled' ELSE 'adjusted' END,
              CASE phase WHEN 0 THEN 5 WHEN 4 THEN -1 ELSE 2 END,
              2 * c + CASE phase WHEN 3 THEN 3 WHEN 4 THEN 2 ELSE 5 END,
              CASE phase WHEN 1 THEN 2 ELSE 0 END,
              CASE phase WHEN 2 THEN 2 ELSE 0 END,
              2 * c + CASE phase WHEN 0 THEN 5 WHEN 4 THEN 2 ELSE 3 END,
              CASE WHEN phase IN (1, 2, 3) THEN printf('cart:%d:%d', k, c) END,
              CASE WHEN phase IN (2, 3) THEN printf('order-%d-%d', k, c) END,
              CASE phase WHEN 4 THEN 'cycle count' END,
              NULL,
              strftime('%Y-%m-%dT%H:%M:%fZ', (${day0} + n * ${msPerMove}) / 1000.0, 'unixepoch'),
              strftime('%Y-%m-%d', (${day0} + n * ${msPerMove}) / 1000.0, 'unixepoch')
       FROM m`,
    ).run();
  }
  const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM moves WHERE sku LIKE 'HIST-%'").first<{ n: number }>())!;
  expect(n).toBe(moves);
}

async function history() {
  const MOVES = 1_000_000;
  const SKUS = 10_000;
  await seedHistory(MOVES, SKUS);
  const get = async (path: string) => {
    const t0 = Date.now();
    const res = await exports.default.fetch(`https://bench.test${path}`, { headers: READ });
    await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return Date.now() - t0;
  };
  const pick = (i: number) => String((i * 7919) % SKUS).padStart(5, "0");
  const sku: number[] = [];
  const order: number[] = [];
  const daily: number[] = [];
  for (let i = 0; i < 300; i++) sku.push(await get(`/v1/moves?sku=HIST-${pick(i)}&limit=100`));
  for (let i = 0; i < 200; i++) order.push(await get(`/v1/moves?order_id=order-${Number(pick(i))}-${i % 20}`));
  for (let i = 0; i < 200; i++) {
    daily.push(await get(`/v1/reports/daily?sku=HIST-${pick(i)}&from=2026-09-15&to=2026-10-14`));
  }
  return {
    history: {
      moves_seeded: MOVES,
      sku_p50_ms: percentile(sku, 50),
      sku_p99_ms: percentile(sku, 99),
      order_p50_ms: percentile(order, 50),
      daily_p50_ms: percentile(daily, 50),
    },
  };
}

/** The seed's own checkout: read, then `UPDATE … stock = stock - 1`, as separate D1 queries. */
async function baselines() {
  await env.DB.prepare("CREATE TABLE IF NOT EXISTS bench_products (sku TEXT PRIMARY KEY, stock INTEGER NOT NULL)").run();
  const setUp = (sku: string) =>
    env.DB.prepare("INSERT INTO bench_products (sku, stock) VALUES (?, ?)").bind(sku, HOT_STOCK).run();

  const naiveSku = `naive-${runId}`;
  await setUp(naiveSku);
  let naiveSold = 0;
  const naive = await load(CALLERS, async () => {
    const row = await env.DB.prepare("SELECT stock FROM bench_products WHERE sku = ?").bind(naiveSku).first<{ stock: number }>();
    if (!row || row.stock <= 0) return false;
    await env.DB.prepare("UPDATE bench_products SET stock = stock - 1 WHERE sku = ?").bind(naiveSku).run();
    naiveSold += 1;
    return true;
  });

  const guardedSku = `guarded-${runId}`;
  await setUp(guardedSku);
  let guardedSold = 0;
  const guarded = await load(CALLERS, async () => {
    const [result] = await env.DB.batch([
      env.DB.prepare("UPDATE bench_products SET stock = stock - ? WHERE sku = ? AND stock >= ?").bind(1, guardedSku, 1),
    ]);
    if (result!.meta.changes === 0) return false;
    guardedSold += 1;
    return true;
  });
  // The seed's full fix: the guarded UPDATE, its stock_moves row and the reservation row, in one batch; the
  // two inserts apply only when the UPDATE took a unit.
  await env.DB.batch([
    env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS bench_stock_moves (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, delta INTEGER NOT NULL, reservation_id TEXT NOT NULL, at TEXT NOT NULL)",
    ),
    env.DB.prepare(
      "CREATE TABLE IF NOT EXISTS bench_product_reservations (reservation_id TEXT NOT NULL, sku TEXT NOT NULL, quantity INTEGER NOT NULL, PRIMARY KEY (reservation_id, sku))",
    ),
  ]);
  const fullSku = `full-${runId}`;
  await setUp(fullSku);
  let fullSold = 0;
  const full = await load(CALLERS, async (_i, caller) => {
    const reservation = `full-${runId}-${caller}`;
    const [taken] = await env.DB.batch([
      env.DB.prepare("UPDATE bench_products SET stock = stock - 1 WHERE sku = ? AND stock >= 1").bind(fullSku),
      env.DB.prepare(
        "INSERT INTO bench_stock_moves (sku, delta, reservation_id, at) SELECT ?, -1, ?, strftime('%Y-%m-%dT%H:%M:%fZ') WHERE changes() = 1",
      ).bind(fullSku, reservation),
      env.DB.prepare(
        `INSERT INTO bench_product_reservations (reservation_id, sku, quantity) SELECT ?, ?, 1 WHERE changes() = 1
         ON CONFLICT (reservation_id, sku) DO UPDATE SET quantity = quantity + 1`,
      ).bind(reservation, fullSku),
    ]);
    if (taken!.meta.changes === 0) return false;
    fullSold += 1;
    return true;
  });
  const held = await env.DB.prepare("SELECT coalesce(sum(quantity), 0) AS n FROM bench_product_reservations WHERE sku = ?")
    .bind(fullSku)
    .first<{ n: number }>();
  expect(held!.n).toBe(fullSold);

  return {
    baselines: {
      d1_seed_full: { holds_per_s: rate(fullSold, full.elapsedMs), oversold: Math.max(0, fullSold - HOT_STOCK) },
      d1_naive: { holds_per_s: rate(naiveSold, naive.elapsedMs), oversold: Math.max(0, naiveSold - HOT_STOCK) },
      d1_guarded: { holds_per_s: rate(guardedSold, guarded.elapsedMs), oversold: Math.max(0, guardedSold - HOT_STOCK) },
    },
  };
}

it("measures the service inside the runtime", async () => {
  await runInDurableObject(product(`BENCH-COUNTERS-${runId}`), (_: unknown, state: DurableObjectState) =>
    installCounters(state.storage, env.DB),
  );
  // The ledger-length comparison first: thousands of carts later, their objects' alarms still ring for a
  // while (each coordinator's recovery deadline, each product's projection safety net) and would time those.
  const ledger = await ledgerLength();
  const compared = await headToHead();
  const { min_cart3_per_s, min_cart3_via_entrypoint_per_s, many_skus, bundle_carts } = await manySkus();
  const results = {
    ...compared,
    reference: { ...compared.reference, min_cart3_per_s, min_cart3_via_entrypoint_per_s },
    many_skus,
    bundle_carts,
    ...ledger,
    ...(await history()),
    ...(await baselines()),
  };
  console.log(`BENCH_RESULT ${JSON.stringify(results)}`);
}, 900_000);
