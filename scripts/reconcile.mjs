// `npm run reconcile -- FILE [--url URL]`
//
// Compares the old stock numbers in FILE (as `npm run import` reads it) with stockwell's, and writes no
// stock. Writes FILE.drift.csv (sku, old, on_hand, available, difference = on_hand − old) for every SKU whose
// numbers differ, and prints a summary. A SKU's old number is the sum of its lines over locations.
// stockwell's numbers are its read model's (GET /v1/stock), which trails the ledgers by the projection lag:
// reconcile once `GET /v1/admin/health` lists nothing behind. The token comes from STOCKWELL_TOKEN (on
// 127.0.0.1 the local read token by default). Exit status: 0 when nothing drifts, 1 when something does.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { csvLine, readBalances, tokenFor } from "./lib/opening-balances.mjs";
import { currentStock } from "./lib/stockwell-http.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string", default: process.env.STOCKWELL_URL ?? "http://127.0.0.1:8787" } },
});
const file = positionals[0];
if (!file || positionals.length > 1) {
  console.error("usage: npm run reconcile -- FILE [--url URL]   (token: STOCKWELL_TOKEN)");
  process.exit(2);
}
const api = { url: values.url.replace(/\/$/, ""), token: tokenFor(values.url, "local-read-token") };

const started = Date.now();
const { balances, refused } = readBalances(file);
const old = new Map();
for (const b of balances) old.set(b.sku, (old.get(b.sku) ?? 0) + b.on_hand);
let stock;
try {
  stock = await currentStock(api, [...old.keys()]);
} catch (err) {
  console.error(err.message);
  process.exit(2);
}

const drift = [];
let missing = 0;
let units = 0;
for (const [sku, was] of old) {
  const now = stock.get(sku);
  if (!now) missing += 1;
  const onHand = now?.on_hand ?? 0;
  if (onHand !== was) {
    drift.push([sku, was, onHand, now?.available ?? 0, onHand - was]);
    units += onHand - was;
  }
}
const path = `${file}.drift.csv`;
writeFileSync(path, [csvLine(["sku", "old", "on_hand", "available", "difference"]), ...drift.map(csvLine), ""].join("\n"));
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`reconciled ${old.size} SKUs in ${seconds} s: ${old.size - drift.length} match, ${drift.length} differ (${missing} unknown to stockwell), net ${units >= 0 ? "+" : ""}${units} units.`);
if (refused.length > 0) console.log(`${refused.length} lines of the file could not be read (see npm run import -- --dry-run).`);
for (const row of drift.slice(0, 10)) console.log(`  ${row[0]}: old ${row[1]}, on_hand ${row[2]}, available ${row[3]} (${row[4] >= 0 ? "+" : ""}${row[4]})`);
console.log(`drift: ${path}`);
process.exit(drift.length > 0 ? 1 : 0);
