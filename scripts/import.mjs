// `npm run import -- FILE [--url URL] [--dry-run] [--concurrency N]`
//
// Sends a shop's opening balances to a running stockwell as counts (POST /v1/counts, 1,000 lines a batch):
// each line's on_hand becomes the count at its location (`default` when none), recorded as an `adjusted`
// move with reason `opening balance`. The token comes from STOCKWELL_TOKEN (on 127.0.0.1 the local write
// token by default), never from the command line.
//
// Safe to run again: each batch's Idempotency-Key comes from the file's SHA-256 and the batch number, and
// FILE.import.json records the batches answered, so a rerun after a crash or Ctrl-C sends only the rest,
// and a batch sent twice applies nothing twice. Lines refused (here or by stockwell) go to
// FILE.refused.csv, and then the exit status is 1. --dry-run sends nothing and writes FILE.dry-run.csv.
import { existsSync, renameSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { batchKey, batchesOf, csvLine, readBalances, tokenFor } from "./lib/opening-balances.mjs";
import { currentStock, request } from "./lib/stockwell-http.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: process.env.STOCKWELL_URL ?? "http://127.0.0.1:8787" },
    "dry-run": { type: "boolean", default: false },
    concurrency: { type: "string", default: "4" },
  },
});
const file = positionals[0];
if (!file || positionals.length > 1) {
  console.error("usage: npm run import -- FILE [--url URL] [--dry-run] [--concurrency N]   (token: STOCKWELL_TOKEN)");
  process.exit(2);
}
const api = { url: values.url.replace(/\/$/, ""), token: tokenFor(values.url, "local-write-token") };
const concurrency = Math.max(1, Math.min(16, Number(values.concurrency) || 4));

const read = readBalances(file);
const { hash } = read;
const { balances, refused } = await withKnownLocations(read);
const batches = batchesOf(balances);
const journalPath = `${file}.import.json`;
const refusedPath = `${file}.refused.csv`;

if (values["dry-run"]) {
  await dryRun();
} else {
  await importAll();
}

async function dryRun() {
  const stock = await currentStock(api, [...new Set(balances.map((b) => b.sku))]);
  const rows = [];
  let unchanged = 0;
  for (const b of balances) {
    const current = onHandAt(stock.get(b.sku), b.location ?? "default");
    if (current === b.on_hand) unchanged += 1;
    else rows.push([b.sku, b.location ?? "default", current, b.on_hand, b.on_hand - current]);
  }
  writeFileSync(`${file}.dry-run.csv`, [csvLine(["sku", "location", "on_hand_now", "counted", "difference"]), ...rows.map(csvLine), ""].join("\n"));
  writeRefused(refused);
  console.log(`dry run: ${balances.length} lines in ${batches.length} batches; ${rows.length} would change on_hand, ${unchanged} already match, ${refused.length} refused.`);
  for (const row of rows.slice(0, 10)) console.log(`  ${row[0]} @ ${row[1]}: ${row[2]} → ${row[3]} (${row[4] >= 0 ? "+" : ""}${row[4]})`);
  if (rows.length > 10) console.log(`  … ${rows.length - 10} more in ${file}.dry-run.csv`);
  if (refused.length > 0) console.log(`refused lines: ${refusedPath}`);
  process.exit(refused.length > 0 ? 1 : 0);
}

/** Lines at a location stockwell does not have are refused here: stockwell would refuse their whole batch. */
async function withKnownLocations({ balances, refused }) {
  if (!balances.some((b) => b.location)) return { balances, refused };
  let known;
  try {
    known = new Set((await request(api, "GET", "/v1/locations")).items.map((l) => l.id));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  const kept = [];
  const unknown = [];
  for (const b of balances) {
    if (!b.location || known.has(b.location)) kept.push(b);
    else unknown.push({ line: b.line, sku: b.sku, on_hand: String(b.on_hand), location: b.location, reason: `no location ${b.location} in stockwell (create it first)` });
  }
  return { balances: kept, refused: [...refused, ...unknown] };
}

/** On_hand at a location of a stock list item (the read model); 0 for a SKU or location not there yet. */
function onHandAt(item, location) {
  if (!item) return 0;
  const at = item.locations?.find((l) => l.location === location);
  return at ? at.on_hand : location === "default" && !item.locations?.length ? item.on_hand : 0;
}

function loadJournal() {
  if (!existsSync(journalPath)) return { hash, done: [], refused: [] };
  const journal = JSON.parse(readFileSync(journalPath, "utf8"));
  // Another file under the same name: its batches say nothing about this one.
  return journal.hash === hash ? journal : { hash, done: [], refused: [] };
}

function saveJournal(journal) {
  writeFileSync(`${journalPath}.tmp`, JSON.stringify(journal));
  renameSync(`${journalPath}.tmp`, journalPath);
}

function writeRefused(lines) {
  if (lines.length === 0) {
    rmSync(refusedPath, { force: true });
    return;
  }
  const sorted = [...lines].sort((a, b) => a.line - b.line);
  writeFileSync(refusedPath, [csvLine(["line", "sku", "on_hand", "location", "reason"]), ...sorted.map((r) => csvLine([r.line, r.sku, r.on_hand, r.location, r.reason])), ""].join("\n"));
}

async function importAll() {
  const journal = loadJournal();
  const done = new Set(journal.done);
  const todo = batches.map((lines, n) => ({ n, lines })).filter((b) => !done.has(b.n));
  const started = Date.now();
  const already = batches.filter((_, n) => done.has(n)).reduce((sum, b) => sum + b.length, 0);
  const bar = new cliProgress.SingleBar(
    // Without a terminal (a log, nohup, CI) the bar is a line every 30 s, so a long import still says how far it got.
    { format: "{bar} {percentage}% | {value}/{total} lines | {rate} lines/s | ETA {eta_formatted}", etaBuffer: 20, hideCursor: true, noTTYOutput: true, notTTYSchedule: 30_000 },
    cliProgress.Presets.shades_classic,
  );
  if (already > 0) console.log(`resuming: ${done.size} of ${batches.length} batches were sent before`);
  bar.start(balances.length, already, { rate: 0 });
  let sent = 0;
  let moved = 0;
  let stopping = false;
  process.on("SIGINT", () => {
    stopping = true;
  });
  const next = () => (stopping ? undefined : todo.shift());
  const worker = async () => {
    for (let batch = next(); batch; batch = next()) {
      const answer = await sendBatch(batch);
      for (const [i, result] of answer.results.entries()) {
        if (!result.ok) {
          const b = batch.lines[i];
          journal.refused.push({ line: b.line, sku: b.sku, on_hand: String(b.on_hand), location: b.location ?? "", reason: `${result.error.code}: ${result.error.message}` });
        } else if (result.move) moved += 1;
      }
      done.add(batch.n);
      journal.done = [...done];
      saveJournal(journal);
      sent += batch.lines.length;
      bar.update(already + sent, { rate: Math.round((sent / Math.max(Date.now() - started, 1)) * 1000) });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (err) {
    bar.stop();
    console.error(`${err.message}\nstopped: ${done.size} of ${batches.length} batches sent; run the same command again to send the rest.`);
    process.exit(1);
  }
  bar.stop();
  const seconds = (Date.now() - started) / 1000;
  if (stopping && done.size < batches.length) {
    console.error(`interrupted: ${done.size} of ${batches.length} batches sent (${sent} lines in ${seconds.toFixed(1)} s this run); run the same command again to send the rest.`);
    process.exit(130);
  }
  const allRefused = [...refused, ...journal.refused];
  writeRefused(allRefused);
  console.log(
    `imported ${balances.length - journal.refused.length} of ${balances.length + refused.length} lines in ${seconds.toFixed(1)} s ` +
      `(${Math.round(sent / Math.max(seconds, 0.001))} lines/s this run): ${moved} answered with a move (a replayed batch answers as it first did), ${allRefused.length} refused.`,
  );
  if (allRefused.length > 0) {
    console.log(`refused lines: ${refusedPath}`);
    process.exit(1);
  }
}

/** One batch, retried while stockwell may answer later (5xx, no answer); a 4xx stops the import. */
async function sendBatch({ n, lines }) {
  const body = {
    lines: lines.map((b) => ({ sku: b.sku, on_hand: b.on_hand, ...(b.location ? { location: b.location } : {}) })),
    reason: "opening balance",
    ref: `import:${hash.slice(0, 16)}`,
  };
  return request(api, "POST", "/v1/counts", { body, idempotencyKey: batchKey(hash, n), what: `batch ${n + 1}` });
}
