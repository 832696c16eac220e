// Webhooks: subscribe a URL (its secret shown once), see deliveries, redeliver one, send a ping, delete.
import { call, query, write } from "../api.js";
import { $, el, fill, when } from "../dom.js";
import { action, go, link, notify, writeButton } from "../ui.js";

/** Every subscription, page by page (the API caps them at 100, but a page is never assumed to be all). */
async function allHooks() {
  const items = [];
  let after = null;
  do {
    const page = await call("GET", `/v1/webhooks${query({ limit: 1000, after })}`);
    items.push(...page.items);
    after = page.next_after;
  } while (after);
  return items;
}

async function list() {
  fill($("hook-table"), [
    ["id", (h) => el("a", { href: link("webhooks", h.id) }, h.id), { key: true }],
    ["URL", (h) => h.url, { key: true }],
    ["events", (h) => h.events.join(", ")],
    ["description", (h) => h.description ?? ""],
    ["", (h) => writeButton("Delete", `Delete webhook ${h.id}`, `Delete webhook ${h.id} (${h.url})? Its deliveries stop at once.`,
      () => write("DELETE", `/v1/webhooks/${h.id}`), async () => { go("webhooks"); await list(); return `Webhook ${h.id} deleted.`; }), { key: true }],
  ], await allHooks(), "No webhooks yet.");
}

async function showDeliveries(id) {
  const page = await call("GET", `/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=100`);
  const again = () => showDeliveries(id);
  const table = el("table", { "aria-label": "Deliveries" });
  fill(table, [
    ["event", (d) => d.event_id, { key: true }],
    ["status", (d) => d.status, { key: true }],
    ["attempts", (d) => d.attempts, true],
    ["last answer", (d) => d.last_status_code ?? d.last_error ?? ""],
    ["next attempt", (d) => when(d.next_attempt_at)],
    ["delivered", (d) => when(d.delivered_at)],
    ["", (d) => d.status === "delivered" ? "" : writeButton("Redeliver", `Redeliver ${d.event_id} now`, `Send ${d.event_id} to the webhook again now (attempt ${d.attempts + 1})?`,
      () => write("POST", `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d.event_id)}/retry`),
      async () => { await again(); return `${d.event_id} is being sent again.`; }), { key: true }],
  ], page.items, "No deliveries yet.");
  const ping = writeButton("Send a ping", null, `Send a ping event to ${id}?`, () => write("POST", `/v1/webhooks/${encodeURIComponent(id)}/ping`),
    async () => { await again(); return "Ping queued."; });
  $("hook-deliveries").replaceChildren(el("h3", {}, `Deliveries of ${id}`), ping, table);
  $("hook-deliveries").hidden = false;
}

$("hook-form").addEventListener(
  "submit",
  action(async () => {
    const form = $("hook-form");
    const events = [...form.querySelectorAll("input[name=events]:checked")].map((i) => i.value);
    const description = $("hook-description").value.trim();
    const created = await write("POST", "/v1/webhooks", { url: $("hook-url").value.trim(), events, ...(description ? { description } : {}) });
    $("hook-secret").textContent = `Created ${created.id}. Its signing secret, shown only now: ${created.secret}`;
    notify(`Webhook ${created.id} created.`);
    await list();
  }),
);

export const webhooksView = {
  show: async (id) => {
    $("hook-deliveries").hidden = true;
    await list();
    if (id) await showDeliveries(id);
  },
};
