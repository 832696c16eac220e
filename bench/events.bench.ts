// Stock events' cost on the hot-SKU path, for `npm run bench`: the full reservation path (RPC entrypoint,
// coordinator, product) with one webhook subscribed to every move (`stock.changed`), against the same path
// with the SKU's event outbox switched off, in alternating rounds. Also the delivery lag, move → receiver,
// from the receiver's own clock. Prints `BENCH_EVENTS {...}` for bench/run.mjs.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { median, product } from "./objects";

const CALLERS = 64;
const HOLDS = 3_000;
const ROUNDS = 3;
const STEADY_MOVES = 200;
const ADMIN = { authorization: "Bearer bench-admin-token", "content-type": "application/json" };
const inventory = exports.InventoryService;
const runId = Date.now().toString(36);
const receivers = (env as unknown as { WEBHOOK_RECEIVERS: string }).WEBHOOK_RECEIVERS;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** Holds per second of 64 callers each growing its own cart by one unit on `sku`, until HOLDS are held. */
async function holdsPerSecond(sku: string, prefix: string): Promise<number> {
  const received = await inventory.receive(sku, { quantity: HOLDS });
  if (!received.ok) throw new Error(received.error.message);
  await product(sku).flush();
  await product(sku).flushEvents();
  const carts = Array.from({ length: CALLERS }, () => 0);
  let issued = 0;
  const started = Date.now();
  await Promise.all(
    carts.map(async (_, caller) => {
      while (issued < HOLDS) {
        issued += 1;
        const q = carts[caller]! + 1;
        const r = await inventory.putReservation(`${prefix}-${caller}`, { holder: "bench", lines: [{ sku, quantity: q }], ttl_seconds: 3600 });
        if (!r.ok) throw new Error(r.error.message);
        carts[caller] = q;
      }
    }),
  );
  return Math.round((HOLDS / (Date.now() - started)) * 1000);
}

/** Waits until the receiver has `moves` events of `sku`; each one's lag is receiver clock minus the move's `at`. */
async function lagsOf(inbox: string, sku: string, moves: number): Promise<number[]> {
  for (let waited = 0; waited < 120_000; waited += 250) {
    const box = (await (await fetch(inbox)).json()) as { attempts: Array<{ body: string; received_at_ms: number; answered: number }> };
    const delivered = box.attempts
      .filter((a) => a.answered < 300)
      .map((a) => ({ event: JSON.parse(a.body) as { sku: string; at: string }, at: a.received_at_ms }))
      .filter((a) => a.event.sku === sku);
    if (delivered.length === moves) return delivered.map((a) => a.at - Date.parse(a.event.at));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the receiver did not get the ${moves} events of ${sku} within two minutes`);
}

it("measures what stock events add to the hot-SKU path", async () => {
  const inbox = `${receivers}/inboxes/bench-${runId}`;
  const created = await exports.default.fetch("https://stockwell.bench/v1/webhooks", {
    method: "POST",
    headers: ADMIN,
    body: JSON.stringify({ url: inbox, events: ["stock.changed"] }),
  });
  const webhook = (await created.json()) as { id: string; secret: string };
  expect(created.status).toBe(201);
  await fetch(inbox, { method: "PUT", body: JSON.stringify({ secret: webhook.secret }) });

  const rates = { with_events: [] as number[], without_events: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["without_events", "with_events"] as const) : (["with_events", "without_events"] as const);
    for (const variant of order) {
      const sku = `EVENTS-${variant}-${runId}-${round}`;
      if (variant === "without_events") {
        // The same object with its event outbox switched off: nothing decided, sent, fanned out or delivered.
        await runInDurableObject(product(sku), (instance: unknown) => {
          const events = (instance as { stores: { events: { flush(): Promise<void>; noteAppended(): void } } }).stores.events;
          events.flush = () => Promise.resolve();
          events.noteAppended = () => {};
        });
      }
      rates[variant].push(await holdsPerSecond(sku, `${variant}-${runId}-${round}`));
    }
  }

  // Every move of the last with-events SKU reaches the receiver, while the load was on.
  const lags = await lagsOf(inbox, `EVENTS-with_events-${runId}-${ROUNDS - 1}`, HOLDS + 1);

  // At a steady 20 moves per second, one caller: the lag of the pipeline itself, not of a backlog.
  const steadySku = `EVENTS-steady-${runId}`;
  for (let i = 0; i < STEADY_MOVES; i++) {
    const r = await inventory.receive(steadySku, { quantity: 1 });
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const steadyLags = await lagsOf(inbox, steadySku, STEADY_MOVES);
  await exports.default.fetch(`https://stockwell.bench/v1/webhooks/${webhook.id}`, { method: "DELETE", headers: ADMIN });

  const withEvents = median(rates.with_events);
  const withoutEvents = median(rates.without_events);
  const result = {
    events: {
      // Time per hold with events over time per hold without, minus one: 0.10 means events add 10%.
      overhead_ratio: Math.round((withoutEvents / withEvents - 1) * 1000) / 1000,
      with_events_per_s: withEvents,
      without_events_per_s: withoutEvents,
      // Under the hot-SKU load (about 300 moves a second, every one delivered), and at a steady 20 a second.
      delivery_lag_p50_ms: percentile(lags, 50),
      delivery_lag_p99_ms: percentile(lags, 99),
      steady_delivery_lag_p50_ms: percentile(steadyLags, 50),
      steady_delivery_lag_p99_ms: percentile(steadyLags, 99),
      rounds: rates,
    },
  };
  console.log(`BENCH_EVENTS ${JSON.stringify(result)}`);
}, 540_000);
