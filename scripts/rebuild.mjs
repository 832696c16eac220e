// `npm run rebuild -- [--url http://127.0.0.1:8787] [--token local-write-token] [--reset]`
//
// Replays every SKU's ledger into the D1 read model through the admin endpoints. With --reset the read
// model is emptied first (in bounded batches), so D1 ends up exactly as the ledgers say. Without it the
// replay only fills what is missing: writes are idempotent by (sku, seq), so running it twice changes nothing.
// The token needs the `admin` scope; pass it with --token or STOCKWELL_TOKEN.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.STOCKWELL_URL ?? "http://127.0.0.1:8787" },
    token: { type: "string", default: process.env.STOCKWELL_TOKEN ?? "local-admin-token" },
    reset: { type: "boolean", default: false },
  },
});

async function post(path, body) {
  const res = await fetch(`${values.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${values.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${json.error?.code}: ${json.error?.message}`);
  return json;
}

if (values.reset) {
  let deleted = 0;
  for (;;) {
    const progress = await post("/v1/admin/read-model/reset");
    deleted += progress.deleted;
    process.stdout.write(`\rreset: deleted ${deleted} rows`);
    if (progress.done) break;
  }
  console.log();
}

let skus = 0;
let moves = 0;
let after;
do {
  const page = await post("/v1/admin/read-model/rebuild", { limit: 100, ...(after ? { after_sku: after } : {}) });
  skus += page.skus;
  moves += page.moves;
  after = page.next_after_sku;
  process.stdout.write(`\rrebuild: ${skus} SKUs, ${moves} moves queued`);
} while (after);
console.log("\neach SKU now sends its ledger to D1 in the background; GET /v1/moves shows it within seconds");
