// CPU per hold, for `npm run bench`: every workerd process's CPU time (bench/cpu-meter.ts) before and after
// each run, in alternating rounds. It says where the time goes that the rates cannot: stockwell's product
// with and without its outboxes (the D1 projection and the events, whose D1 and queue work run on this same
// machine here and elsewhere on Cloudflare), the reservation path with and without the entrypoint, against
// the minimal references. Prints `BENCH_CPU {...}` for bench/run.mjs.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { it } from "vitest";
import { median, minProduct, minReservation, minService, product, reservation } from "./objects";

const CALLERS = 64;
const HOLDS = 3_000;
const ROUNDS = 5;
const runId = Date.now().toString(36);
const CPU_METER = (env as unknown as { CPU_METER: string }).CPU_METER;
const cpuMs = async () => Number(await (await fetch(CPU_METER)).text());

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

type Hold = (cart: string, quantity: number) => Promise<boolean>;

/**
 * µs of CPU per hold while 64 callers each grow their own cart by one unit per call, HOLDS calls in all,
 * counting what the run leaves to do afterwards until the runtime is idle again.
 */
async function cpuPerHold(hold: Hold): Promise<number> {
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

type Outbox = "projection" | "events";

/** A SKU with enough stock, its receipt sent on; optionally with outboxes switched off. */
async function stocked(sku: string, off: readonly Outbox[] = []): Promise<void> {
  const received = await exports.InventoryService.receive(sku, { quantity: HOLDS });
  if (!received.ok) throw new Error(received.error.message);
  await product(sku).flush();
  await product(sku).flushEvents();
  if (off.length === 0) return;
  // An outbox switched off is a no-op that keeps no safety net (one left behind would ring the alarm for ever).
  await runInDurableObject(product(sku), (instance: unknown) => {
    const object = (instance as { stores: Record<"projector" | "events", unknown> & { schedule: { remove(kind: string, key: string): void } } }).stores;
    const none = { flush: () => Promise.resolve(), noteAppended() {}, settle() {}, forget() {}, pending: () => 0 };
    if (off.includes("projection")) {
      object.projector = none;
      object.schedule.remove("projection", "d1");
    }
    if (off.includes("events")) {
      object.events = none;
      object.schedule.remove("events", "queue");
    }
  });
}

const holdAtProduct = (sku: string): Hold => async (cart, q) =>
  (await product(sku).hold(sku, cart, q, Date.now() + 3_600_000, "updated", "bench")).ok;
/** A reservation PUT per hold, each caller's cart growing: sent to the object directly or through the entrypoint. */
const putReservation = (sku: string, via: "entrypoint" | "object"): Hold => async (cart, q) => {
  const id = `${sku}-${cart}`;
  const input = { holder: "bench", lines: [{ sku, quantity: q }], ttl_seconds: 3600 };
  const outcome = via === "entrypoint" ? await exports.InventoryService.putReservation(id, input) : await reservation(id).put(id, input, "bench");
  return outcome.ok;
};
const minimalStock = async (sku: string) => minProduct(sku).receive(HOLDS * CALLERS);

const variants: Record<string, (tag: string) => Promise<number>> = {
  min_product: async (tag) => {
    await minimalStock(tag);
    return cpuPerHold((cart) => minProduct(tag).hold(cart, 1));
  },
  product: async (tag) => {
    await stocked(tag);
    return cpuPerHold(holdAtProduct(tag));
  },
  product_without_events: async (tag) => {
    await stocked(tag, ["events"]);
    return cpuPerHold(holdAtProduct(tag));
  },
  product_without_outboxes: async (tag) => {
    await stocked(tag, ["projection", "events"]);
    return cpuPerHold(holdAtProduct(tag));
  },
  min_path: async (tag) => {
    await minimalStock(tag);
    return cpuPerHold((cart) => minReservation(`${tag}-${cart}`).put(`${tag}-${cart}`, [tag]));
  },
  min_path_via_entrypoint: async (tag) => {
    await minimalStock(tag);
    return cpuPerHold((cart) => minService.put(`${tag}-${cart}`, [tag]));
  },
  path: async (tag) => {
    await stocked(tag);
    return cpuPerHold(putReservation(tag, "entrypoint"));
  },
  path_direct: async (tag) => {
    await stocked(tag);
    return cpuPerHold(putReservation(tag, "object"));
  },
  path_direct_without_outboxes: async (tag) => {
    await stocked(tag, ["projection", "events"]);
    return cpuPerHold(putReservation(tag, "object"));
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
