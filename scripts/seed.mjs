// `npm run seed -- --moves 1000000 --skus 10000 [--days 60] [--prefix SEED] [--layout time|sku] [--persist-to DIR]`
//
// Fills the *local* D1 read model (the database `npm start` serves) with realistic, internally consistent
// moves for benchmarks and manual checks: receipts, carts that are reserved, updated, released, expired or
// committed, orders fulfilled, cancelled and returned, and stock counts. Balances never go below zero,
// every SKU's seqs are gapless, and every move goes in through the projection's own `projected_moves` view,
// so the daily rollups are counted exactly as live moves are. Every id it makes starts with --prefix.
//
// The moves exist only in D1: the per-SKU ledgers (Durable Objects) are not seeded, so a seeded SKU answers
// 404 on /v1/products/:sku. It refuses to run while `npm start` serves: it writes the SQLite file directly.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { migrateLocalD1, STATE_DIR } from "./local-dev.mjs";
import { generator } from "./random.mjs";

const { values } = parseArgs({
  options: {
    moves: { type: "string", default: "1000000" },
    skus: { type: "string", default: "10000" },
    days: { type: "string", default: "60" },
    prefix: { type: "string", default: "SEED" },
    "persist-to": { type: "string", default: STATE_DIR },
    layout: { type: "string", default: "time" },
  },
});
const MOVES = Number(values.moves);
const SKUS = Number(values.skus);
const DAYS = Number(values.days);
const PREFIX = values.prefix;
function stop(message) {
  console.error(message);
  process.exit(1);
}
if (!(MOVES > 0 && SKUS > 0 && DAYS > 0)) stop("--moves, --skus and --days must be positive numbers");
if (!["time", "sku"].includes(values.layout)) stop("--layout is time (live traffic) or sku (as after a rebuild)");
if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/.test(PREFIX)) stop("--prefix must be 1-41 of A-Z a-z 0-9 . _ : - (it starts every SKU)");

// `npm start` keeps the database open and caches it: writing under it would corrupt what it serves.
const port = process.env.PORT ?? "8787";
const serving = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
  () => true,
  () => false,
);
if (serving) stop(`something answers on 127.0.0.1:${port}: stop \`npm start\` first, the seed writes its database directly`);

migrateLocalD1(["--persist-to", values["persist-to"]]);

const dir = join(values["persist-to"], "v3/d1/miniflare-D1DatabaseObject");
const file = readdirSync(dir)
  .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
  .map((f) => join(dir, f))
  .find((path) => {
    const probe = new DatabaseSync(path, { readOnly: true });
    const found = probe.prepare("SELECT 1 FROM sqlite_master WHERE name = 'daily_rollups'").get();
    probe.close();
    return found;
  });
if (!file) throw new Error(`no local D1 database with the read model under ${dir}`);

// Foreign keys are checked by D1; here stock rows are written after their moves, so they are off.
const db = new DatabaseSync(file, { enableForeignKeyConstraints: false, timeout: 0 });
try {
  db.exec("BEGIN EXCLUSIVE; COMMIT;");
} catch {
  stop(`${file} is in use by another process (a running \`npm start\`, or a test): stop it first`);
}
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");

// The projection's own entry point: its trigger writes the move and counts it into the daily rollups.
const insertMove = db.prepare(
  `INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available,
     reservation_id, order_id, reason, ref, at, location, actor)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const upsertStock = db.prepare(
  `INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at, locations)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
     committed = excluded.committed, available = excluded.available, version = excluded.version,
     updated_at = excluded.updated_at, locations = excluded.locations
   WHERE excluded.version > stock.version`,
);

// Deterministic, so two seeds of the same size are the same data.
const { random, pick } = generator(0x2545f491);

const skuName = (i) => `${PREFIX}-${String(i).padStart(6, "0")}`;
/** (v1.2) Each SKU's stock sits at one of five locations, so every location holds a fifth of the moves. */
const LOCATIONS = 5;
const locationOf = (i) => `${PREFIX}-wh-${i % LOCATIONS}`;
const stock = Array.from({ length: SKUS }, () => ({
  seq: 0,
  on_hand: 0,
  reserved: 0,
  committed: 0,
  holds: [],
  orders: [],
  last_at: null,
}));
/** An order id that the seed made, for the hint at the end. */
let sampleOrder = null;
let carts = 0;
const start = Date.now() - DAYS * 86_400_000;
const step = (DAYS * 86_400_000) / MOVES;

/**
 * (v1.2) Who made a move, as a shop's traffic has it: the checkout for carts and orders' commits, the alarms
 * for expiries, ten operators for receipts and counts, five warehouses' tokens for shipping and returns.
 * From the SKU and seq, not the random stream, so the rest of the data is the same as before actors.
 */
function actorOf(i, seq, type, reason) {
  if (reason === "expired") return "system";
  if (type === "reserved" || type === "released" || type === "committed") return "checkout";
  if (type === "fulfilled" || type === "cancelled" || type === "returned") return `${PREFIX}-warehouse-${i % LOCATIONS}`;
  return `${PREFIX}-ops-${(i + seq) % 10}`;
}

function record(i, s, type, quantity, ids, at) {
  s.seq += 1;
  const available = s.on_hand - s.reserved - s.committed;
  const iso = new Date(at).toISOString();
  s.last_at = iso;
  insertMove.run(
    skuName(i), s.seq, type, quantity, s.on_hand, s.reserved, s.committed, available,
    ids.reservation_id ?? null, ids.order_id ?? null, ids.reason ?? null, ids.ref ?? null, iso, locationOf(i),
    actorOf(i, s.seq, type, ids.reason),
  );
}

/** The next realistic move for SKU i, given its balances. */
function nextMove(i, at) {
  const s = stock[i];
  const available = s.on_hand - s.reserved - s.committed;
  const roll = random();
  if (s.seq === 0 || available <= 0 || roll < 0.08) {
    const quantity = 10 + pick(90);
    s.on_hand += quantity;
    return record(i, s, "received", quantity, { ref: `${PREFIX}-PO-${pick(100000)}` }, at);
  }
  if (roll < 0.45 || (s.holds.length === 0 && s.orders.length === 0)) {
    const quantity = 1 + pick(Math.min(3, available));
    const reservation_id = `${PREFIX}-cart-${++carts}`;
    s.reserved += quantity;
    s.holds.push({ reservation_id, quantity });
    return record(i, s, "reserved", quantity, { reservation_id }, at);
  }
  if (roll < 0.7 && s.holds.length > 0) {
    const hold = s.holds.splice(pick(s.holds.length), 1)[0];
    if (random() < 0.6) {
      const order_id = hold.reservation_id.replace("-cart-", "-order-");
      sampleOrder ??= order_id;
      s.reserved -= hold.quantity;
      s.committed += hold.quantity;
      s.orders.push({ ...hold, order_id, outstanding: hold.quantity, fulfilled: 0 });
      return record(i, s, "committed", hold.quantity, { reservation_id: hold.reservation_id, order_id }, at);
    }
    s.reserved -= hold.quantity;
    const reason = random() < 0.5 ? "expired" : "cancelled";
    return record(i, s, "released", hold.quantity, { reservation_id: hold.reservation_id, reason }, at);
  }
  if (roll < 0.92 && s.orders.some((o) => o.outstanding > 0)) {
    const order = s.orders.find((o) => o.outstanding > 0);
    const quantity = order.outstanding;
    order.outstanding = 0;
    s.committed -= quantity;
    const ids = { reservation_id: order.reservation_id, order_id: order.order_id };
    if (random() < 0.9) {
      s.on_hand -= quantity;
      order.fulfilled = quantity;
      return record(i, s, "fulfilled", quantity, ids, at);
    }
    return record(i, s, "cancelled", quantity, ids, at);
  }
  const returnable = s.orders.find((o) => o.fulfilled > 0);
  if (returnable && roll < 0.96) {
    returnable.fulfilled -= 1;
    s.on_hand += 1;
    return record(i, s, "returned", 1, { reservation_id: returnable.reservation_id, order_id: returnable.order_id }, at);
  }
  const delta = available > 0 && random() < 0.7 ? -1 : 1;
  s.on_hand += delta;
  return record(i, s, "adjusted", delta, { reason: "cycle count" }, at);
}

const began = Date.now();
const BATCH = 50_000;

/**
 * The SKU and time of the n-th move. `time` (live traffic): moves of random SKUs one after another, so D1's
 * cursor order follows time. `sku` (as after a rebuild, which replays one SKU's ledger after another): each
 * SKU's whole history in turn, spread over the same days, so cursor order follows SKU.
 */
function slot(n) {
  if (values.layout === "time") return { sku: n < SKUS ? n : pick(SKUS), at: start + n * step };
  const per = Math.floor(MOVES / SKUS);
  const sku = Math.min(SKUS - 1, Math.floor(n / per));
  const own = n - sku * per;
  const count = sku === SKUS - 1 ? MOVES - sku * per : per;
  // Each SKU's moves at its own times, as real ledgers have them: evenly spaced, shifted by a random part
  // of one gap, so no two SKUs move at the same instants.
  if (own === 0) shift = random();
  return { sku, at: start + Math.floor(((own + shift) * DAYS * 86_400_000) / count) };
}
let shift = 0;

for (let done = 0; done < MOVES; ) {
  db.exec("BEGIN");
  const end = Math.min(MOVES, done + BATCH);
  for (; done < end; done++) {
    // With layout `time` the first pass touches every SKU in order, so each has at least one move.
    const { sku, at } = slot(done);
    nextMove(sku, at);
  }
  db.exec("COMMIT");
  process.stdout.write(`\rseeded ${done.toLocaleString()} / ${MOVES.toLocaleString()} moves`);
}
db.exec("BEGIN");
for (const [i, s] of stock.entries()) {
  if (s.seq === 0) continue;
  const available = s.on_hand - s.reserved - s.committed;
  const locations = JSON.stringify([{ location: locationOf(i), on_hand: s.on_hand, reserved: s.reserved, committed: s.committed, available }]);
  upsertStock.run(skuName(i), s.on_hand, s.reserved, s.committed, available, s.seq, s.last_at, locations);
}
db.exec("COMMIT");
// Leave the database whole in its main file: a write-ahead log of hundreds of MB would otherwise be
// checkpointed by whatever opens it next, in the middle of its work.
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
db.close();
const seconds = ((Date.now() - began) / 1000).toFixed(1);
console.log(`\nseeded ${MOVES.toLocaleString()} moves over ${SKUS.toLocaleString()} SKUs (${PREFIX}-…) in ${seconds} s`);
const base = `http://127.0.0.1:${port}`;
const auth = "-H 'authorization: Bearer local-read-token'";
console.log("after `npm start`, try:");
console.log(`  curl -s '${base}/v1/moves?sku=${skuName(0)}&limit=5' ${auth}`);
if (sampleOrder) console.log(`  curl -s '${base}/v1/moves?order_id=${sampleOrder}' ${auth}`);
console.log(`  curl -s '${base}/v1/stock?after_sku=${PREFIX}-&limit=5' ${auth}`);
