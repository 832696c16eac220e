// Reservations and orders: search them, open one by its link, release a stuck cart, fulfil, cancel or return.
import { call, query, write } from "../api.js";
import { $, el, fill, when } from "../dom.js";
import { action, go, link, writeButton } from "../ui.js";
import { skuLink } from "./stock.js";
import { releaseButton } from "./sku.js";

async function movesTable(filter) {
  const page = await call("GET", `/v1/moves${query({ ...filter, limit: 200 })}`);
  const table = el("table", { "aria-label": "Moves" });
  fill(table, [
    ["SKU", (m) => skuLink(m.sku), { key: true }],
    ["seq", (m) => m.seq, true],
    ["type", (m) => m.type, { key: true }],
    ["quantity", (m) => m.quantity, { num: true, key: true }],
    ["by", (m) => m.actor ?? "(before v1.2)"],
    ["at", (m) => when(m.at)],
  ], page.moves, "No moves yet (the read model may lag by a moment).");
  return table;
}

// ---- reservations ---------------------------------------------------------------------------------

let resAfter = null;
let resShown = {};
async function searchReservations(params, more = false) {
  resShown = params;
  $("res-holder").value = params.holder ?? "";
  $("res-sku").value = params.sku ?? "";
  $("res-status").value = params.status ?? "";
  const page = await call("GET", `/v1/reservations${query({ ...params, after: more ? resAfter : "", limit: 50 })}`);
  resAfter = page.next_after;
  $("res-more").hidden = resAfter === null;
  fill($("res-table"), [
    ["reservation", (r) => el("a", { href: link("reservations", r.id, resShown) }, r.id), { key: true }],
    ["holder", (r) => r.holder, { key: true }],
    ["status", (r) => r.status, { key: true }],
    ["lines", (r) => r.lines.map((l) => `${l.sku} × ${l.quantity}`).join(", ")],
    ["order", (r) => r.order_id ?? ""],
    ["updated", (r) => when(r.updated_at)],
  ], page.items, "No reservation matches.");
}

async function openReservation(id) {
  const r = await call("GET", `/v1/reservations/${encodeURIComponent(id)}`);
  const box = $("res-detail");
  const lines = el("table", { "aria-label": "Reservation lines" });
  fill(lines, [["SKU", (l) => skuLink(l.sku), { key: true }], ["quantity", (l) => l.quantity, { num: true, key: true }]], r.lines);
  box.replaceChildren(
    el("h3", {}, `Reservation ${r.id}`),
    el("p", {}, `${r.status}, held by ${r.holder}, expires ${when(r.expires_at)}${r.order_id ? `, order ${r.order_id}` : ""}.`),
    ...(r.status === "active" ? [releaseButton(r.id, () => openReservation(id))] : []),
    ...(r.order_id ? [el("p", {}, el("a", { href: link("orders", r.order_id) }, `Open order ${r.order_id}`))] : []),
    lines,
    el("h3", {}, "Its moves"),
    await movesTable({ reservation_id: r.id }),
  );
  box.hidden = false;
}

$("res-search").addEventListener("submit", action(() => go("reservations", "", { holder: $("res-holder").value.trim(), sku: $("res-sku").value.trim(), status: $("res-status").value })));
$("res-more").addEventListener("click", action(() => searchReservations(resShown, true)));

export const reservationsView = {
  show: async (id, params) => {
    $("res-detail").hidden = true;
    if (Object.keys(params).length > 0 || !id) await searchReservations(params);
    if (id) await openReservation(id);
  },
};

// ---- orders ---------------------------------------------------------------------------------------

let orderAfter = null;
let orderShown = {};
async function searchOrders(params, more = false) {
  orderShown = params;
  $("order-res").value = params.reservation_id ?? "";
  $("order-sku").value = params.sku ?? "";
  $("order-open").value = params.open ?? "";
  const page = await call("GET", `/v1/orders${query({ ...params, after: more ? orderAfter : "", limit: 50 })}`);
  orderAfter = page.next_after;
  $("order-more").hidden = orderAfter === null;
  fill($("order-table"), [
    ["order", (o) => el("a", { href: link("orders", o.order_id, orderShown) }, o.order_id), { key: true }],
    ["reservation", (o) => o.reservation_id],
    ["lines", (o) => o.lines.map((l) => `${l.sku}: ${l.committed} (fulfilled ${l.fulfilled}, cancelled ${l.cancelled}, returned ${l.returned})`).join("; "), { key: true }],
    ["updated", (o) => when(o.updated_at)],
  ], page.items, "No order matches.");
}

const ACTIONS = {
  fulfil: { verb: "Fulfil", room: (l) => l.committed - l.fulfilled - l.cancelled, says: "ship" },
  cancel: { verb: "Cancel", room: (l) => l.committed - l.fulfilled - l.cancelled, says: "cancel back to available" },
  return: { verb: "Return", room: (l) => l.fulfilled - l.returned, says: "take back into stock" },
};

/** One line's fulfil, cancel and return, each for the quantity typed beside it. */
function lineActions(order, line, reopen) {
  const id = `qty-${order.order_id}-${line.sku}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const input = el("input", { id, type: "number", min: 1, max: 1000000, value: 1, class: "narrow" });
  const buttons = Object.entries(ACTIONS)
    .filter(([, a]) => a.room(line) > 0)
    .map(([name, a]) => {
      // The question names the quantity typed when it is asked.
      const question = () => `${a.verb} ${input.value} of ${line.sku} on order ${order.order_id} (${a.says})?`;
      return writeButton(a.verb, `${a.verb} ${line.sku}`, question, () => write("POST", `/v1/orders/${encodeURIComponent(order.order_id)}/${name}`, {
        lines: [{ sku: line.sku, quantity: Number(input.value) }],
      }), async () => { await reopen(); return `${a.verb}: ${input.value} of ${line.sku} on order ${order.order_id}.`; });
    });
  if (buttons.length === 0) return "done";
  return el("span", { class: "row" }, el("label", { for: id }, `Units of ${line.sku}`), input, ...buttons);
}

async function openOrder(id) {
  const o = await call("GET", `/v1/orders/${encodeURIComponent(id)}`);
  const reopen = () => openOrder(id);
  const lines = el("table", { "aria-label": "Order lines" });
  fill(lines, [
    ["SKU", (l) => skuLink(l.sku), { key: true }],
    ["committed", (l) => l.committed, { num: true, key: true }],
    ["fulfilled", (l) => l.fulfilled, true],
    ["cancelled", (l) => l.cancelled, true],
    ["returned", (l) => l.returned, true],
    ["act", (l) => lineActions(o, l, reopen), { key: true }],
  ], o.lines);
  $("order-detail").replaceChildren(
    el("h3", {}, `Order ${o.order_id}`),
    el("p", {}, "From reservation ", el("a", { href: link("reservations", o.reservation_id) }, o.reservation_id), "."),
    lines,
    el("h3", {}, "Its moves"),
    await movesTable({ order_id: o.order_id }),
  );
  $("order-detail").hidden = false;
}

$("order-search").addEventListener("submit", action(() => go("orders", "", { reservation_id: $("order-res").value.trim(), sku: $("order-sku").value.trim(), open: $("order-open").value })));
$("order-more").addEventListener("click", action(() => searchOrders(orderShown, true)));

export const ordersView = {
  show: async (id, params) => {
    $("order-detail").hidden = true;
    if (Object.keys(params).length > 0 || !id) await searchOrders(params);
    if (id) await openOrder(id);
  },
};
