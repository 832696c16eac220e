// `npm run seed -- --moves 1000000 --skus 10000 [--days 60] [--prefix SEED]`
//
// Fills the *local* D1 read model (the database `npm start` serves) with realistic, internally consistent
// moves for benchmarks and manual checks: receipts, carts that are reserved, updated, released, expired or
// committed, orders fulfilled, cancelled and returned, and stock counts. Balances never go below zero,
// every SKU's seqs are gapless, and the daily rollups follow through the moves trigger.
//
// The moves exist only in D1: the per-SKU ledgers (Durable Objects) are not seeded, so a seeded SKU answers
// 404 on /v1/products/:sku. Stop `npm start` first: the seed writes the local SQLite file directly.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    moves: { type: "string", default: "1000000" },
    skus: { type: "string", default: "10000" },
    days: { type: "string", default: "60" },
    prefix: { type: "string", default: "SEED" },
  },
});
const MOVES = Number(values.moves);
const SKUS = Number(values.skus);
const DAYS = Number(values.days);
if (!(MOVES > 0 && SKUS > 0 && DAYS > 0)) throw new Error("--moves, --skus and --days must be positive numbers");

const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PATH: `${resolve("node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
  },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dir = ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";
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
const db = new DatabaseSync(file, { enableForeignKeyConstraints: false, timeout: 10_000 });
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");

const insertMove = db.prepare(
  `INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available,
     reservation_id, order_id, reason, ref, at, at_day)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (sku, seq) DO NOTHING`,
);
const upsertStock = db.prepare(
  `INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
     committed = excluded.committed, available = excluded.available, version = excluded.version,
     updated_at = excluded.updated_at
   WHERE excluded.version > stock.version`,
);

// A small deterministic generator, so two seeds of the same size are the same data.
let state = 0x2545f491;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(random() * n);

const skuName = (i) => `${values.prefix}-${String(i).padStart(6, "0")}`;
const stock = Array.from({ length: SKUS }, () => ({ seq: 0, on_hand: 0, reserved: 0, committed: 0, holds: [], orders: [] }));
let carts = 0;
const start = Date.now() - DAYS * 86_400_000;
const step = (DAYS * 86_400_000) / MOVES;

function record(i, s, type, quantity, ids, at) {
  s.seq += 1;
  const available = s.on_hand - s.reserved - s.committed;
  const iso = new Date(at).toISOString();
  insertMove.run(
    skuName(i), s.seq, type, quantity, s.on_hand, s.reserved, s.committed, available,
    ids.reservation_id ?? null, ids.order_id ?? null, ids.reason ?? null, ids.ref ?? null, iso, iso.slice(0, 10),
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
    return record(i, s, "received", quantity, { ref: `PO-${pick(100000)}` }, at);
  }
  if (roll < 0.45 || (s.holds.length === 0 && s.orders.length === 0)) {
    const quantity = 1 + pick(Math.min(3, available));
    const reservation_id = `cart:${++carts}`;
    s.reserved += quantity;
    s.holds.push({ reservation_id, quantity });
    return record(i, s, "reserved", quantity, { reservation_id }, at);
  }
  if (roll < 0.7 && s.holds.length > 0) {
    const hold = s.holds.splice(pick(s.holds.length), 1)[0];
    if (random() < 0.6) {
      const order_id = `order-${hold.reservation_id.slice(5)}`;
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
for (let done = 0; done < MOVES; ) {
  db.exec("BEGIN");
  const end = Math.min(MOVES, done + BATCH);
  for (; done < end; done++) {
    // The first pass touches every SKU in order, so each has at least one move.
    nextMove(done < SKUS ? done : pick(SKUS), start + done * step);
  }
  db.exec("COMMIT");
  process.stdout.write(`\rseeded ${done.toLocaleString()} / ${MOVES.toLocaleString()} moves`);
}
db.exec("BEGIN");
for (const [i, s] of stock.entries()) {
  if (s.seq === 0) continue;
  const at = new Date(start + MOVES * step).toISOString();
  upsertStock.run(skuName(i), s.on_hand, s.reserved, s.committed, s.on_hand - s.reserved - s.committed, s.seq, at);
}
db.exec("COMMIT");
db.close();
const seconds = ((Date.now() - began) / 1000).toFixed(1);
console.log(`\nseeded ${MOVES.toLocaleString()} moves over ${SKUS.toLocaleString()} SKUs (${values.prefix}-…) in ${seconds} s`);
console.log(`try: GET /v1/moves?sku=${skuName(0)}&limit=100   GET /v1/moves?order_id=order-1`);
