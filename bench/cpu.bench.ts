// CPU per hold, for `npm run bench`: every workerd process's CPU time (bench/cpu-meter.ts) before and after
// each run, in alternating rounds. It says where the time goes that the rates cannot: stockwell's product
// with and without its outboxes (the D1 projection and the events, whose D1 and queue work run on this same
// machine here and elsewhere on Cloudflare), the reservation path with and without the entrypoint, against
// the minimal references. Prints `BENCH_CPU {...}` for bench/run.mjs.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { it } from "vitest";
import type { MinProduct, MinReservation } from "./reference";

const bench = env as typeof env & {
  MIN_PRODUCT: DurableObjectNamespace<MinProduct>;
  MIN_RESERVATION: DurableObjectNamespace<MinReservation>;
  CPU_METER: string;
};
const CALLERS = 64;
const HOLDS = 3_000;
const ROUNDS = 5;
const runId = Date.now().toString(36);
const product = (sku: string) => env.PRODUCT_STOCK.get(env.PRODUCT_STOCK.idFromName(sku));
const reservation = (id: string) => env.RESERVATION.get(env.RESERVATION.idFromName(id));
const minProduct = (sku: string) => bench.MIN_PRODUCT.get(bench.MIN_PRODUCT.idFromName(sku));
const minReservation = (id: string) => bench.MIN_RESERVATION.get(bench.MIN_RESERVATION.idFromName(id));
const cpuMs = async () => Number(await (await fetch(bench.CPU_METER)).text());
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Waits until the runtime is idle: three windows of 300 ms in a row each using under 20 ms of CPU (or 30 s),
 * so that work a run leaves behind (projection catch-up, listing copies, alarms) is counted to that run.
 */
async function quiet(): Promise<void> {
  let calm = 0;
  for (const deadline = Date.now() + 30_000; calm < 3 && Date.now() < deadline; ) {
    const before = await cpuMs();
    await new Promise((resolve) => setTimeout(resolve, 300));
    calm = (await cpuMs()) - before < 20 ? calm + 1 : 0;
  }
}

/**
 * µs of CPU per hold while 64 callers each grow their own cart by one unit per call, HOLDS calls in all,
 * counting what the run leaves to do afterwards until the runtime is idle again.
 */
async function cpuPerHold(hold: (cart: string, quantity: number) => Promise<boolean>): Promise<number> {
  const carts = Array.from({ length: CALLERS }, () => 0);
  let issued = 0;
  await quiet();
  const before = await cpuMs();
  await Promise.all(
    carts.map(async (_, caller) => {
      while (issued < HOLDS) {
        issued += 1;
        const quantity = carts[caller]! + 1;
        if (!(await hold(`cart-${caller}`, quantity))) throw new Error("a hold was refused");
        carts[caller] = quantity;
      }
    }),
  );
  await quiet();
  return Math.round((((await cpuMs()) - before) / HOLDS) * 1000);
}

/** A SKU with enough stock, its receipt sent on; optionally with its two outboxes switched off. */
async function stocked(sku: string, outboxes: boolean): Promise<void> {
  const received = await exports.InventoryService.receive(sku, { quantity: HOLDS });
  if (!received.ok) throw new Error(received.error.message);
  await product(sku).flush();
  await product(sku).flushEvents();
  if (!outboxes) {
    // Both outboxes become no-ops that keep no safety net (one left behind would ring the alarm for ever).
    await runInDurableObject(product(sku), (instance: unknown) => {
      const object = instance as Record<"projector" | "events", unknown> & { schedule: { remove(kind: string, key: string): void } };
      const none = { flush: () => Promise.resolve(), noteAppended() {}, settle() {}, forget() {}, pending: () => 0 };
      object.projector = none;
      object.events = none;
      object.schedule.remove("projection", "d1");
      object.schedule.remove("events", "queue");
    });
  }
}

const variants: Record<string, (tag: string) => Promise<number>> = {
  min_product: async (tag) => {
    await minProduct(tag).receive(HOLDS * CALLERS);
    return cpuPerHold((cart) => minProduct(tag).hold(cart, 1));
  },
  product: async (tag) => {
    await stocked(tag, true);
    return cpuPerHold(async (cart, q) => (await product(tag).hold(tag, cart, q, Date.now() + 3_600_000, "updated")).ok);
  },
  product_without_outboxes: async (tag) => {
    await stocked(tag, false);
    return cpuPerHold(async (cart, q) => (await product(tag).hold(tag, cart, q, Date.now() + 3_600_000, "updated")).ok);
  },
  min_path: async (tag) => {
    await minProduct(tag).receive(HOLDS * CALLERS);
    return cpuPerHold((cart) => minReservation(`${tag}-${cart}`).put(`${tag}-${cart}`, [tag]));
  },
  path: async (tag) => {
    await stocked(tag, true);
    return cpuPerHold(async (cart, q) => {
      const lines = [{ sku: tag, quantity: q }];
      return (await exports.InventoryService.putReservation(`${tag}-${cart}`, { holder: "bench", lines, ttl_seconds: 3600 })).ok;
    });
  },
  path_direct_without_outboxes: async (tag) => {
    await stocked(tag, false);
    return cpuPerHold(async (cart, q) => {
      const lines = [{ sku: tag, quantity: q }];
      return (await reservation(`${tag}-${cart}`).put(`${tag}-${cart}`, { holder: "bench", lines, ttl_seconds: 3600 })).ok;
    });
  },
};

it("measures CPU per hold", async () => {
  const rounds: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(variants);
    // Alternate the order, so no variant always pays for the background work of the one before it.
    for (const name of round % 2 === 0 ? names : names.reverse()) {
      rounds[name]!.push(await variants[name]!(`CPU-${name}-${runId}-${round}`));
    }
  }
  const cpu_us_per_hold = Object.fromEntries(Object.entries(rounds).map(([name, values]) => [name, median(values)]));
  console.log(`BENCH_CPU ${JSON.stringify({ cpu: { us_per_hold: cpu_us_per_hold, rounds } })}`);
}, 540_000);
