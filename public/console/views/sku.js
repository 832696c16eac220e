// One SKU: why its available is what it is, its ledger as a chart and a table, everything an operator does to
// it, and its new moves as they happen.
import { ApiError, call, query, write } from "../api.js";
import { ledgerChart } from "../chart.js";
import { $, cueCell, cueOf, downloadCsv, el, fill, signed, when } from "../dom.js";
import { action, go, link, writeAction, writeButton } from "../ui.js";
import { locationOptions } from "./locations.js";

const CHART_MOVES = 2_000;
const MOVES_PAGE = 50;
const LIVE_MS = 2_000;

let current = { sku: null, stock: null, settings: null, moves: [], page: 0 };
const path = () => `/v1/products/${encodeURIComponent(current.sku)}`;

/** The moves after `afterSeq` (at most `max`), page by page: the API's pages are at most 1,000. */
async function movesAfter(sku, afterSeq, max = CHART_MOVES) {
  const moves = [];
  for (let after = afterSeq; moves.length < max; ) {
    const page = await call("GET", `/v1/products/${encodeURIComponent(sku)}/moves${query({ after_seq: after, limit: 1000 })}`);
    moves.push(...page.moves);
    if (page.next_after_seq === null) break;
    after = page.next_after_seq;
  }
  return moves;
}

export const shortNote = (stock) =>
  stock.available < 0
    ? ` Short by ${-stock.available}: ${stock.reserved + stock.committed} are reserved or committed, and no new hold is granted until it is received or counted back.`
    : "";

async function open(sku) {
  $("sku-input").value = sku;
  $("h-sku").textContent = `SKU ${sku}`;
  $("sku-detail").hidden = true;
  $("sku-missing").hidden = true;
  $("bundle-detail").hidden = true;
  let stock;
  try {
    stock = await call("GET", `/v1/products/${encodeURIComponent(sku)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.error.code !== "not_found") throw err;
    current = { sku, stock: null, settings: null, moves: [], page: 0 };
    $("sku-missing-text").textContent = `${sku} has no moves yet. Receive or count it from the Stocktake view, or make it a bundle of other SKUs.`;
    $("sku-missing").hidden = false;
    return;
  }
  if (stock.bundle) return showBundle(stock);
  current = { sku, stock, settings: null, moves: await movesAfter(sku, Math.max(0, stock.version - CHART_MOVES)), page: 0 };
  await render();
}

async function render() {
  const { sku } = current;
  const [stock, settings, holds, orders, incoming, options] = await Promise.all([
    call("GET", path()),
    call("GET", `${path()}/settings`),
    call("GET", `/v1/reservations${query({ sku, status: "active", limit: 100 })}`),
    call("GET", `/v1/orders${query({ sku, open: "true", limit: 100 })}`),
    call("GET", `${path()}/incoming${query({ status: "open" })}`),
    locationOptions(),
  ]);
  Object.assign(current, { stock, settings });
  $("sku-detail").hidden = false;
  const cue = cueOf(stock, settings.low_stock_threshold);
  $("sku-numbers").replaceChildren(
    ...["on_hand", "reserved", "committed", "available"].map((k) =>
      el("div", { "data-field": k, class: k === "available" && cue ? cue.class : undefined }, el("dt", {}, k.replace("_", " ")), el("dd", {}, stock[k])),
    ),
    ...(cue ? [el("div", { "data-field": "status" }, el("dt", {}, "status"), el("dd", {}, cueCell(cue)))] : []),
  );
  const held = holds.items.map((r) => ({ ...r, quantity: r.lines.find((l) => l.sku === sku)?.quantity ?? 0 }));
  const open = orders.items.map((o) => {
    const line = o.lines.find((l) => l.sku === sku);
    return { ...o, outstanding: line ? line.committed - line.fulfilled - line.cancelled : 0 };
  });
  $("sku-explain").textContent =
    `${stock.available} available = ${stock.on_hand} on hand − ${stock.reserved} reserved by ${held.length} active reservation(s)` +
    ` − ${stock.committed} committed to ${open.length} open order(s). Version ${stock.version}, last move ${when(stock.updated_at)}.` +
    shortNote(stock);
  fill($("sku-locations"), [
    ["location", (l) => l.location, { key: true }],
    ["available", (l) => l.available, { num: true, key: true }],
    ["on hand", (l) => l.on_hand, true],
    ["reserved", (l) => l.reserved, true],
    ["committed", (l) => l.committed, true],
  ], stock.locations, "No location holds it yet.");
  const { moves } = current;
  $("sku-chart-scope").textContent =
    moves.length < stock.version ? `The last ${moves.length} of ${stock.version} moves.` : `All ${moves.length} moves.`;
  ledgerChart($("sku-chart"), moves, ["on_hand", "available"], {
    label: `On hand (blue) and available (green) of ${sku} over ${moves.length} moves`,
    threshold: settings.low_stock_threshold,
  });
  fill($("sku-holds"), [
    ["reservation", (r) => el("a", { href: link("reservations", r.id) }, r.id), { key: true }],
    ["holder", (r) => r.holder],
    ["quantity", (r) => r.quantity, { num: true, key: true }],
    ["expires", (r) => when(r.expires_at)],
    ["", (r) => releaseButton(r.id, () => render())],
  ], held, "No active reservation holds this SKU.");
  fill($("sku-orders"), [
    ["order", (o) => el("a", { href: link("orders", o.order_id) }, o.order_id), { key: true }],
    ["reservation", (o) => o.reservation_id],
    ["outstanding", (o) => o.outstanding, { num: true, key: true }],
    ["created", (o) => when(o.created_at)],
  ], open, "No open order of this SKU.");
  fill($("sku-incoming"), [
    ["incoming", (i) => i.id, { key: true }],
    ["expected", (i) => i.quantity - i.received, { num: true, key: true }],
    ["at", (i) => i.location],
    ["on", (i) => when(i.expected_at)],
    ["", (i) =>
      writeButton("Cancel", `Cancel incoming ${i.id}`, `Cancel incoming ${i.id}: stop expecting its ${i.quantity - i.received} unit(s) of ${sku}?`,
        () => write("DELETE", `${path()}/incoming/${encodeURIComponent(i.id)}`),
        async () => { await render(); return `Incoming ${i.id} cancelled.`; })],
  ], incoming.items, "Nothing is expected.");
  $("receive-incoming").replaceChildren(el("option", { value: "" }, "none"), ...incoming.items.map((i) => el("option", { value: i.id }, `${i.id} (${i.quantity - i.received} expected)`)));
  for (const select of document.querySelectorAll("#view-sku select.locations")) {
    const keep = select.value;
    select.replaceChildren(...options.map((o) => el("option", { value: o.id }, o.label)));
    if (keep && options.some((o) => o.id === keep)) select.value = keep;
  }
  if ($("transfer-to").value === $("transfer-from").value && options.length > 1) $("transfer-to").value = options[1].id;
  $("sku-threshold").value = settings.low_stock_threshold ?? "";
  $("sku-backorder").value = settings.backorder_limit ?? 0;
  $("sku-preorder").checked = settings.preorder === true;
  showMoves();
  live.schedule();
}

export function releaseButton(id, after) {
  return writeButton("Release", `Release ${id}`, `Release reservation ${id}: every unit it holds becomes available again?`,
    () => write("DELETE", `/v1/reservations/${encodeURIComponent(id)}`),
    async (r) => { await after(); return `Reservation ${r.id} is ${r.status}.`; });
}

const MOVE_COLUMNS = [
  ["seq", (m) => m.seq, { num: true, key: true }],
  ["type", (m) => m.type, { key: true }],
  ["quantity", (m) => m.quantity, { num: true, key: true }],
  ["on hand", (m) => m.on_hand, true],
  ["reserved", (m) => m.reserved, true],
  ["committed", (m) => m.committed, true],
  ["available", (m) => m.available, true],
  ["reservation / order", (m) => m.order_id ?? m.reservation_id ?? ""],
  ["reason / ref", (m) => [m.reason, m.ref].filter(Boolean).join(" · ")],
  ["by", (m) => m.actor ?? "(before v1.2)"],
  ["at", (m) => when(m.at)],
];

function showMoves() {
  const newestFirst = [...current.moves].reverse();
  const page = newestFirst.slice(current.page * MOVES_PAGE, (current.page + 1) * MOVES_PAGE);
  $("sku-moves-prev").disabled = current.page === 0;
  $("sku-moves-next").disabled = (current.page + 1) * MOVES_PAGE >= newestFirst.length;
  fill($("sku-moves"), MOVE_COLUMNS, page, "No moves.");
}

/** The SKU's new moves while its page is open and the tab visible: read from its ledger after the last seq. */
const live = {
  timer: null,
  schedule() {
    clearTimeout(this.timer);
    const following = current.sku && !$("view-sku").hidden && current.stock;
    $("sku-live").textContent = !following ? "" : document.hidden ? "Live updates paused while this tab is hidden." : "Following new moves live.";
    if (following && !document.hidden) this.timer = setTimeout(() => this.poll(), LIVE_MS);
  },
  async poll() {
    try {
      if (await catchUp()) {
        await render();
        return;
      }
    } catch {
      // A missed poll is tried again at the next one.
    }
    this.schedule();
  },
};
document.addEventListener("visibilitychange", () => live.schedule());

function showBundle(bundle) {
  current = { sku: bundle.sku, stock: null, settings: null, moves: [], page: 0 };
  $("bundle-detail").replaceChildren(
    el("p", {}, `${bundle.sku} is a bundle: ${bundle.available} can be sold, as its components allow.`),
    (() => {
      const t = el("table", { "aria-label": "Bundle components" });
      fill(t, [
        ["component", (c) => el("a", { href: link("sku", c.sku) }, c.sku), { key: true }],
        ["per bundle", (c) => c.quantity, { num: true, key: true }],
        ["available", (c) => c.available ?? "", true],
      ], bundle.components);
      return t;
    })(),
  );
  $("bundle-detail").hidden = false;
}

/** `SKU × 2` (or `SKU x 2`, `SKU,2`) per line. */
export function parseComponents(text) {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((line) => {
    const m = /^(\S+)\s*(?:[×x*,]\s*(\d+))?$/i.exec(line);
    if (!m) throw new Error(`"${line}" is not "SKU × quantity"`);
    return { sku: m[1], quantity: Number(m[2] ?? 1) };
  });
}

const number = (id) => Number($(id).value);
const text = (id) => $(id).value.trim();
const optional = (value) => (value === "" ? undefined : value);

writeAction($("receive-form"), () => `Receive ${number("receive-quantity")} of ${current.sku} at ${$("receive-location").value}${text("receive-incoming") ? ` against ${text("receive-incoming")}` : ""}?`,
  () => write("POST", `${path()}/receive`, {
    quantity: number("receive-quantity"), location: $("receive-location").value,
    reason: optional(text("receive-reason")), ref: optional(text("receive-ref")), incoming_id: optional($("receive-incoming").value),
  }),
  async ({ stock }) => { $("receive-form").reset(); await refresh(); return `Received: ${current.sku} has ${stock.on_hand} on hand, ${stock.available} available.`; });

writeAction($("adjust-form"), () => `Change on hand of ${current.sku} at ${$("adjust-location").value} by ${signed(number("adjust-delta"))} (${text("adjust-reason")})?`,
  () => write("POST", `${path()}/adjust`, {
    delta: number("adjust-delta"), reason: text("adjust-reason"), location: $("adjust-location").value,
    ...($("adjust-short").checked ? { allow_short: true } : {}),
  }),
  async ({ stock }) => { $("adjust-form").reset(); await refresh(); return `Adjusted: ${current.sku} has ${stock.on_hand} on hand, ${stock.available} available.${shortNote(stock)}`; });

writeAction($("count-here-form"), () => `Record ${number("count-here-on-hand")} of ${current.sku} counted at ${$("count-here-location").value}? On hand there becomes what was counted.`,
  () => write("POST", `${path()}/count`, { on_hand: number("count-here-on-hand"), location: $("count-here-location").value }),
  async ({ move, stock }) => { $("count-here-form").reset(); await refresh(); return move ? `Counted: on hand ${signed(move.quantity)}, now ${stock.on_hand}.${shortNote(stock)}` : `The count matched; nothing changed.`; });

writeAction($("transfer-form"), () => `Move ${number("transfer-quantity")} of ${current.sku} from ${$("transfer-from").value} to ${$("transfer-to").value}?`,
  () => write("POST", `${path()}/transfer`, { quantity: number("transfer-quantity"), from: $("transfer-from").value, to: $("transfer-to").value }),
  async ({ move }) => { $("transfer-form").reset(); await refresh(); return `Moved ${move.quantity} of ${current.sku} from ${move.location} to ${move.to_location}.`; });

writeAction($("settings-form"), () => {
  const t = $("sku-threshold").value;
  return `Save ${current.sku}'s settings: low-stock threshold ${t === "" ? "none" : t}, backorder limit ${number("sku-backorder")}, preorders ${$("sku-preorder").checked ? "on" : "off"}?`;
},
  () => write("PUT", `${path()}/settings`, {
    low_stock_threshold: $("sku-threshold").value === "" ? null : number("sku-threshold"),
    backorder_limit: number("sku-backorder"), preorder: $("sku-preorder").checked,
  }),
  async () => { await refresh(); return `Settings of ${current.sku} saved.`; });

writeAction($("incoming-form"), () => `Expect ${number("incoming-quantity")} of ${current.sku} at ${$("incoming-location").value} on ${$("incoming-date").value} (${text("incoming-id")})?`,
  () => write("PUT", `${path()}/incoming/${encodeURIComponent(text("incoming-id"))}`, {
    quantity: number("incoming-quantity"), expected_at: new Date(`${$("incoming-date").value}T00:00:00Z`).toISOString(), location: $("incoming-location").value,
  }),
  async (i) => { $("incoming-form").reset(); await refresh(); return `Incoming ${i.id}: ${i.quantity} expected.`; });

writeAction($("bundle-form"), () => `Make ${current.sku} a bundle of ${parseComponents($("bundle-components").value).map((c) => `${c.quantity} × ${c.sku}`).join(", ")}?`,
  () => write("PUT", `/v1/bundles/${encodeURIComponent(current.sku)}`, { components: parseComponents($("bundle-components").value) }),
  async () => { await open(current.sku); return `${current.sku} is now a bundle.`; });

/** Adds the moves made since the last one shown; whether there were any (for the SKU still open). */
async function catchUp() {
  const sku = current.sku;
  const fresh = await movesAfter(sku, current.moves.at(-1)?.seq ?? 0);
  if (sku !== current.sku || fresh.length === 0) return false;
  current.moves = [...current.moves, ...fresh].slice(-CHART_MOVES);
  return true;
}

/** After a write: the new moves and numbers. */
async function refresh() {
  if (!current.stock) return open(current.sku);
  await catchUp();
  await render();
}

$("sku-moves-prev").addEventListener("click", () => { current.page -= 1; showMoves(); });
$("sku-moves-next").addEventListener("click", () => { current.page += 1; showMoves(); });
$("sku-open").addEventListener("submit", action(() => go("sku", text("sku-input"))));
$("sku-moves-export").addEventListener(
  "click",
  action(async () => {
    const all = await movesAfter(current.sku, 0, Infinity);
    downloadCsv(`${current.sku}-ledger.csv`, ["seq", "type", "quantity", "on_hand", "reserved", "committed", "available", "location", "to_location", "reservation_id", "order_id", "reason", "ref", "actor", "at"],
      all.map((m) => [m.seq, m.type, m.quantity, m.on_hand, m.reserved, m.committed, m.available, m.location, m.to_location, m.reservation_id, m.order_id, m.reason, m.ref, m.actor, m.at]));
  }),
);

$("sku-at").addEventListener(
  "submit",
  action(async () => {
    const at = new Date($("sku-at-input").value).toISOString();
    const s = await call("GET", `${path()}${query({ at })}`);
    $("sku-at-result").textContent =
      `At ${when(at)}: ${s.on_hand} on hand, ${s.reserved} reserved, ${s.committed} committed, ${s.available} available (version ${s.version}).`;
  }),
);

export const skuView = {
  show: async (sku) => {
    if (sku) await open(sku);
    else {
      $("sku-detail").hidden = true;
      $("h-sku").textContent = "One SKU";
    }
  },
  hide: () => live.schedule(),
};
