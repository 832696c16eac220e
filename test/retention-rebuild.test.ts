// API.md v1.1: a rebuild of the read model never brings back moves that retention removed and never counts
// a move twice in the rollups, with or without a reset. (Its own file: it moves the retention horizon past
// today for this file's D1.)
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/worker/index";
import { ADMIN_TOKEN, api, capturingConsole, d1Moves, ledger, productStub, putReservation, receive, uniqueSku } from "./helpers";

const DAY_MS = 86_400_000;

async function rebuild(reset: boolean) {
  if (reset) {
    let progress;
    do progress = await api("POST", "/v1/admin/read-model/reset", { token: ADMIN_TOKEN });
    while (!progress.body.done);
  }
  let after: string | null = null;
  do {
    const page: any = await api("POST", "/v1/admin/read-model/rebuild", {
      token: ADMIN_TOKEN,
      body: after ? { after_sku: after } : {},
    });
    expect(page.status).toBe(200);
    after = page.body.next_after_sku;
  } while (after);
}

async function todaysRow(sku: string) {
  const today = new Date().toISOString().slice(0, 10);
  const res = await api("GET", `/v1/reports/daily?sku=${sku}&from=${today}&to=${today}`);
  expect(res.status).toBe(200);
  return res.body.days;
}

describe("a rebuild after retention", () => {
  it("counts every move once and brings back no pruned move, with and without a reset", async () => {
    const sku = uniqueSku("RET");
    await receive(sku, 7);
    const id = uniqueSku("cart");
    await putReservation(id, [{ sku, quantity: 2 }]);
    await productStub(sku).flush();
    const [counted] = await todaysRow(sku);
    expect(counted).toMatchObject({ received: 7, reserved: 2 });

    // The daily cron, 91 days from now: every move of today is past retention.
    const { lines } = await capturingConsole("log", () =>
      worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 91 * DAY_MS }), env),
    );
    expect(lines).toEqual(["retention: deleted 2 D1 moves older than 90 days"]);
    expect(await d1Moves(sku)).toEqual([]);

    for (const reset of [false, true, false]) {
      await rebuild(reset);
      await productStub(sku).flush();
      expect(await todaysRow(sku), `after a rebuild ${reset ? "with" : "without"} reset`).toEqual([counted]);
      expect(await d1Moves(sku), "no pruned move comes back").toEqual([]);
      const feed = await api("GET", `/v1/moves?sku=${sku}`);
      expect(feed.body.moves).toEqual([]);
    }
    // The ledger itself keeps everything.
    expect(await ledger(sku)).toHaveLength(2);

    // Moves made after the cron are projected as usual and counted once.
    await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -1, reason: "count" } });
    await productStub(sku).flush();
    const stock = await api("GET", `/v1/stock?after_sku=${sku.slice(0, -1)}&limit=1000`);
    expect(stock.body.items.find((s: any) => s.sku === sku)).toMatchObject({ on_hand: 6, version: 3 });
  });
});
