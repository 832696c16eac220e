// The old stock numbers a shop brings to stockwell: CSV `sku,on_hand[,location]` (a header line is
// optional), or the JSON that `wrangler d1 execute --json --command "SELECT sku, stock AS on_hand FROM
// products"` prints. Read by `npm run import` and `npm run reconcile`; each line is checked as the API
// would check it, so a batch is never refused whole for one bad line.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** As src/schemas.ts: SKUs and location ids. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_ON_HAND = 1_000_000;
/** POST /v1/counts takes at most this many lines, each SKU at most once. */
export const BATCH_LINES = 1_000;

/**
 * @typedef {{ line: number, sku: string, on_hand: number, location?: string }} Balance
 * @typedef {{ line: number, sku: string, on_hand: string, location: string, reason: string }} Refusal
 */

/** The file's balances and the lines refused before anything is sent, and the file's SHA-256. */
export function readBalances(path) {
  const bytes = readFileSync(path);
  const text = bytes.toString("utf8");
  const hash = createHash("sha256").update(bytes).digest("hex");
  const raw = /^\s*[[{]/.test(text) ? fromWranglerJson(text) : fromCsv(text);
  const balances = [];
  const refused = [];
  const seen = new Set();
  for (const row of raw) {
    const reason = refusalOf(row, seen);
    if (reason) refused.push({ line: row.line, sku: String(row.sku ?? ""), on_hand: String(row.on_hand ?? ""), location: String(row.location ?? ""), reason });
    else balances.push({ line: row.line, sku: row.sku, on_hand: Number(row.on_hand), ...(row.location ? { location: row.location } : {}) });
  }
  return { hash, balances, refused };
}

function fromCsv(text) {
  const rows = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const [sku = "", onHand = "", location = "", ...extra] = line.split(",").map((f) => f.trim());
    if (i === 0 && sku.toLowerCase() === "sku") continue;
    rows.push({ line: i + 1, sku, on_hand: onHand, location, extra: extra.length });
  }
  return rows;
}

/** wrangler prints `[{results: [...], success, meta}]`; a plain array of rows is read too. */
function fromWranglerJson(text) {
  const parsed = JSON.parse(text);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const rows = list.flatMap((entry) => (entry && Array.isArray(entry.results) ? entry.results : [entry]));
  return rows.map((row, i) => ({ line: i + 1, sku: row?.sku, on_hand: row?.on_hand, location: row?.location ?? "", extra: 0 }));
}

function refusalOf(row, seen) {
  if (row.extra) return "more than three fields";
  if (typeof row.sku !== "string" || !ID.test(row.sku)) return `sku must match ${ID.source}`;
  const onHand = typeof row.on_hand === "number" ? row.on_hand : /^\d+$/.test(String(row.on_hand)) ? Number(row.on_hand) : NaN;
  if (!Number.isInteger(onHand) || onHand < 0 || onHand > MAX_ON_HAND) return `on_hand must be a whole number from 0 to ${MAX_ON_HAND}`;
  if (row.location && !ID.test(row.location)) return `location must match ${ID.source}`;
  const key = `${row.sku}\u0000${row.location || "default"}`;
  if (seen.has(key)) return "listed twice (sku and location)";
  seen.add(key);
  return null;
}

/** Batches in file order, each at most BATCH_LINES lines with each SKU once: the same file, the same batches. */
export function batchesOf(balances) {
  const batches = [];
  let current = [];
  let skus = new Set();
  for (const balance of balances) {
    if (current.length === BATCH_LINES || skus.has(balance.sku)) {
      batches.push(current);
      current = [];
      skus = new Set();
    }
    current.push(balance);
    skus.add(balance.sku);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The Idempotency-Key of batch `n` of the file with this hash: a rerun sends the same keys. */
export const batchKey = (hash, n) => `import-${hash.slice(0, 32)}-${n}`;

const csvField = (value) => (/[",\r\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value));
export const csvLine = (fields) => fields.map(csvField).join(",");

/** The token: from STOCKWELL_TOKEN only (never argv, which other users of the machine can read). */
export function tokenFor(url, localDefault) {
  if (process.env.STOCKWELL_TOKEN) return process.env.STOCKWELL_TOKEN;
  const host = new URL(url).hostname;
  if (host === "127.0.0.1" || host === "localhost") return localDefault;
  console.error("set STOCKWELL_TOKEN to a token of stockwell at " + url);
  process.exit(2);
}
