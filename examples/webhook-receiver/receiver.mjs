// A receiver for stockwell's stock events, as a plain Node HTTP handler. It does the three things every
// receiver must (API.md, "Stock events and webhooks"):
//   1. verify the Standard Webhooks signature (any Standard Webhooks library; here the reference one),
//   2. dedupe by `webhook-id`: delivery is at least once, so the same event may come twice,
//   3. order by `seq`: events are not delivered in order, so an older one must not undo a newer one.
// It keeps what it has seen in memory; a real one keeps both in its database, in the same transaction as
// whatever it does with the event.
//
//   WEBHOOK_SECRET=whsec_... PORT=8788 node examples/webhook-receiver/receiver.mjs
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/**
 * `onEvent(event, { stale })` runs once per event id; `stale` is true when a later seq of the same SKU
 * arrived first (use the event for its history, not to set the SKU's current state).
 */
export function createReceiver({ secret, onEvent }) {
  const webhook = new Webhook(secret);
  const seen = new Set();
  const latestSeq = new Map();

  return async function receive(request, response) {
    const body = await readBody(request);
    let event;
    try {
      event = webhook.verify(body, {
        "webhook-id": request.headers["webhook-id"] ?? "",
        "webhook-timestamp": request.headers["webhook-timestamp"] ?? "",
        "webhook-signature": request.headers["webhook-signature"] ?? "",
      });
    } catch {
      // Not from stockwell, or too old to trust: refuse, and do nothing with it.
      response.writeHead(401).end();
      return;
    }
    const id = request.headers["webhook-id"];
    if (seen.has(id)) {
      response.writeHead(204).end();
      return;
    }
    const stale = event.sku !== undefined && (latestSeq.get(event.sku) ?? 0) > event.seq;
    if (event.sku !== undefined && !stale) latestSeq.set(event.sku, event.seq);
    await onEvent(event, { stale });
    // Marked seen only once handled: if onEvent throws, the 500 makes stockwell send it again.
    seen.add(id);
    response.writeHead(204).end();
  };
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error("set WEBHOOK_SECRET to the secret POST /v1/webhooks answered");
  const receive = createReceiver({
    secret,
    onEvent: (event, { stale }) => console.log(`${event.type} ${event.sku ?? ""} seq ${event.seq ?? "-"}${stale ? " (stale)" : ""}`),
  });
  const port = Number(process.env.PORT ?? 8788);
  createServer((request, response) => {
    receive(request, response).catch((err) => {
      console.error(err);
      response.writeHead(500).end();
    });
  }).listen(port, "127.0.0.1", () => console.log(`receiving on http://127.0.0.1:${port}/`));
}
