// Health: whether D1 answers, how old the newest projected move is, which SKUs' outboxes are behind, and
// each webhook's pending and failed deliveries (GET /v1/admin/health).
import { call } from "../api.js";
import { $, el, fill, when } from "../dom.js";
import { action, link } from "../ui.js";

const age = (seconds) => (seconds === null ? "—" : seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);

async function show() {
  const health = await call("GET", "/v1/admin/health");
  $("health-status").textContent =
    health.status === "ok" ? `All well (checked ${when(health.checked_at)}).` : `Degraded (checked ${when(health.checked_at)}): see below.`;
  const facts = [
    ["D1", health.d1.answers ? `answers (${health.d1.latency_ms} ms)` : `does not answer: ${health.d1.error}`],
    ["Newest move in D1", health.projection.newest_move_at ? `${when(health.projection.newest_move_at)}, ${age(health.projection.newest_move_age_seconds)} ago` : "none"],
    ["Outboxes behind", String(health.lagging.total)],
  ];
  $("health-facts").replaceChildren(...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  fill($("health-lagging"), [
    ["SKU", (o) => el("a", { href: link("sku", o.sku) }, o.sku), { key: true }],
    ["outbox", (o) => (o.outbox === "projection" ? "D1 projection" : "stock events"), { key: true }],
    ["behind since", (o) => when(o.behind_since)],
    ["for", (o) => age(o.behind_seconds)],
    ["moves to send", (o) => o.pending_moves, true],
  ], health.lagging.outboxes, "No outbox is behind.");
  fill($("health-webhooks"), [
    ["webhook", (w) => el("a", { href: link("webhooks", w.id) }, w.id), { key: true }],
    ["URL", (w) => w.url],
    ["pending", (w) => w.pending, true],
    ["failed", (w) => w.failed, true],
  ], health.webhooks ?? [], health.webhooks === null ? "Unknown while D1 does not answer." : "No webhooks.");
}

$("health-refresh").addEventListener("click", action(show));

export const healthView = { show };
