// Real HTTP endpoints for the webhook tests, run in Node beside the runtime: each inbox is the README's
// example receiver (examples/webhook-receiver) behind a switch that can fail or stall chosen attempts.
// The tests in workerd drive it over HTTP: PUT an inbox with its secret and behaviour, then read back every
// attempt as it arrived (headers and body) and the events the example receiver accepted.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
// @ts-expect-error: a plain .mjs example, typed by its use here.
import { createReceiver } from "../../examples/webhook-receiver/receiver.mjs";

interface InboxSettings {
  secret: string;
  /** Answer 500 to the first n attempts of each event id. */
  fail_first?: number;
  /** Always answer this status. */
  status?: number;
  /** Hold every answer this long. */
  delay_ms?: number;
}

interface Inbox {
  settings: InboxSettings;
  receive: (request: IncomingMessage, response: import("node:http").ServerResponse) => Promise<void>;
  attempts: Array<{ headers: Record<string, string>; body: string; answered: number; received_at_ms: number }>;
  events: Array<{ event: unknown; stale: boolean }>;
  tries: Map<string, number>;
  /** Attempts being answered now, and the most there ever were at once. */
  inflight: number;
  max_inflight: number;
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

export async function startWebhookReceivers(): Promise<{ url: string; server: Server }> {
  const inboxes = new Map<string, Inbox>();
  const server = createServer(async (request, response) => {
    const name = new URL(request.url ?? "/", "http://x").pathname.split("/")[2] ?? "";
    if (request.method === "PUT") {
      const settings = JSON.parse(await readBody(request)) as InboxSettings;
      const inbox: Inbox = { settings, attempts: [], events: [], tries: new Map(), inflight: 0, max_inflight: 0, receive: undefined as never };
      inbox.receive = createReceiver({
        secret: settings.secret,
        onEvent: (event: unknown, { stale }: { stale: boolean }) => void inbox.events.push({ event, stale }),
      });
      inboxes.set(name, inbox);
      response.writeHead(204).end();
      return;
    }
    const inbox = inboxes.get(name);
    if (!inbox) return void response.writeHead(404).end();
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ attempts: inbox.attempts, events: inbox.events, max_inflight: inbox.max_inflight }));
      return;
    }
    inbox.inflight += 1;
    inbox.max_inflight = Math.max(inbox.max_inflight, inbox.inflight);
    response.on("close", () => void (inbox.inflight -= 1));
    const body = await readBody(request);
    const id = String(request.headers["webhook-id"]);
    const tries = (inbox.tries.get(id) ?? 0) + 1;
    inbox.tries.set(id, tries);
    const { fail_first = 0, status, delay_ms = 0 } = inbox.settings;
    const answer = status ?? (tries <= fail_first ? 500 : null);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    if (delay_ms > 0) await new Promise((resolve) => setTimeout(resolve, delay_ms));
    if (answer !== null) {
      inbox.attempts.push({ headers, body, answered: answer, received_at_ms: Date.now() });
      return void response.writeHead(answer).end();
    }
    // The example receiver reads the body from the request: hand it a replay of what was read here.
    const replay = Object.assign(
      (async function* () {
        yield Buffer.from(body);
      })(),
      { headers: request.headers },
    );
    await inbox.receive(replay as never, response);
    inbox.attempts.push({ headers, body, answered: response.statusCode, received_at_ms: Date.now() });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The receivers must not keep vitest alive once the tests are done.
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
