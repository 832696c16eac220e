// `npm run rebuild -- [--url http://127.0.0.1:$PORT] [--token local-admin-token] [--reset [--yes]]`
//
// Replays every SKU's ledger into the D1 read model through the admin endpoints. With --reset the read
// model is emptied first (in bounded batches), so D1 ends up exactly as the ledgers say. Without it the
// replay only fills what is missing: writes are idempotent by (sku, seq), so running it twice changes nothing.
// The token needs the `admin` scope; pass it with --token or STOCKWELL_TOKEN.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.STOCKWELL_URL ?? `http://127.0.0.1:${process.env.PORT ?? "8787"}` },
    token: { type: "string", default: process.env.STOCKWELL_TOKEN ?? "local-admin-token" },
    reset: { type: "boolean", default: false },
    yes: { type: "boolean", default: false },
  },
});

function stop(message) {
  console.error(message);
  process.exit(1);
}

async function post(path, body) {
  let res;
  try {
    res = await fetch(`${values.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${values.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    stop(`could not reach stockwell at ${values.url}: is \`npm start\` running? Otherwise pass --url (and --token).`);
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) stop(`${path} answered ${res.status} ${json.error?.code ?? ""}: ${json.error?.message ?? ""}`);
  return json;
}

/** --reset erases D1: ask first, unless --yes says it was meant. */
async function confirmReset() {
  console.log(
    `--reset empties the read model at ${values.url} (stock, moves, daily rollups), then rebuilds it from the\n` +
      "ledgers. Rows that exist only in D1, such as those written by `npm run seed`, are gone for good.",
  );
  if (values.yes) return;
  if (!process.stdin.isTTY) stop("refusing to reset without a terminal to ask: add --yes if that is what you want");
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question("Reset the read model? [y/N] ");
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim())) stop("nothing was changed");
}

if (values.reset) {
  await confirmReset();
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
