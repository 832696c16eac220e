// `npm run bench`, D1's cost per projected move (docs/capacity.md): the statements, rows written and bytes
// the projection's batches cost D1, for a move sent alone and for moves sent 100 at a time. Prints one line,
// `BENCH_D1COST {...}`, that bench/run.mjs reads.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { projectionStatements } from "../durable-objects/product-stock/projection-sql";
import type { Move } from "../durable-objects/domain/contract";

const runId = Date.now().toString(36);

function movesOf(sku: string, count: number, fromSeq: number): Move[] {
  return Array.from({ length: count }, (_, i) => ({
    sku,
    seq: fromSeq + i,
    type: "received",
    quantity: 1,
    on_hand: fromSeq + i,
    reserved: 0,
    committed: 0,
    available: fromSeq + i,
    reservation_id: null,
    order_id: null,
    reason: null,
    ref: null,
    at: new Date().toISOString(),
    location: "default",
    to_location: null,
    incoming_id: null,
    incoming: 0,
    actor: "write",
  })) as Move[];
}

/** The database's size in bytes, as D1 reports it after a query. */
async function sizeOfDb(): Promise<number> {
  return (await env.DB.prepare("SELECT 1").run()).meta.size_after;
}

/** Sends `batches` batches of `perBatch` moves each to D1, over `skus` SKUs, and sums D1's own meta. */
async function project(skus: number, batches: number, perBatch: number) {
  let statements = 0;
  let rowsWritten = 0;
  const before = await sizeOfDb();
  const started = Date.now();
  for (let s = 0; s < skus; s++) {
    const sku = `D1COST-${runId}-${perBatch}-${s}`;
    for (let b = 0; b < batches; b++) {
      const batch = projectionStatements(env.DB, movesOf(sku, perBatch, b * perBatch + 1));
      statements += batch.length;
      const results = await env.DB.batch(batch);
      rowsWritten += results.reduce((sum, r) => sum + (r.meta.rows_written ?? 0), 0);
    }
  }
  const elapsedMs = Date.now() - started;
  const moves = skus * batches * perBatch;
  return {
    moves,
    ms_per_batch: Number((elapsedMs / (skus * batches)).toFixed(2)),
    statements_per_move: Number((statements / moves).toFixed(3)),
    rows_written_per_move: Number((rowsWritten / moves).toFixed(2)),
    bytes_per_move: Math.round(((await sizeOfDb()) - before) / moves),
  };
}

it("measures what a projected move costs D1", async () => {
  const alone = await project(200, 10, 1);
  const batched = await project(20, 10, 100);
  const result = { d1_cost: { one_move_per_batch: alone, hundred_moves_per_batch: batched } };
  console.log(`BENCH_D1COST ${JSON.stringify(result)}`);
  expect(alone.rows_written_per_move).toBeGreaterThan(0);
});
