// The stockwell operator console: plain DOM, no framework, no inline script (the page's CSP forbids it).
// Everything shown comes from the public API with the token typed in, which lives in this tab's
// sessionStorage only: never in a URL, never logged. Text from the API is only ever set as textContent.

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "stockwell.token";
let token = sessionStorage.getItem(TOKEN_KEY);

// ---- calling the API ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = error ?? { code: "internal", message: `HTTP ${status}` };
  }
}

async function call(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload?.error);
  return payload;
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** An API error in words a person understands: which SKU is short, and by how much. */
export function explain(err) {
  if (!(err instanceof ApiError)) return `Could not reach stockwell (${err.message}).`;
  const { code, message, details } = err.error;
  switch (code) {
    case "unauthorized":
      return "That token was not accepted. Paste a token from API_TOKENS (locally: local-admin-token).";
    case "forbidden":
      return `This token is not allowed to do that: ${message}.`;
    case "not_found":
      return `Not found: ${message}.`;
    case "insufficient_stock":
      return (details?.shortfalls ?? [])
        .map((s) => `Not enough ${s.sku}: this needs ${s.requested}, but only ${s.available} ${s.available === 1 ? "is" : "are"} available (short by ${s.requested - s.available}). The rest is reserved or committed.`)
        .join(" ") || message;
    case "version_conflict":
      return `The stock changed meanwhile (now at version ${details?.current_version}). Reload it and try again.`;
    case "invalid_request":
      return `Please check the input: ${(details?.issues ?? []).map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join("; ") || message}.`;
    case "unavailable":
      return "stockwell is busy right now; nothing was changed. Try again in a moment.";
    default:
      return `${message} (${code}).`;
  }
}

function showError(err) {
  const box = $("error");
  box.textContent = typeof err === "string" ? err : explain(err);
  box.hidden = false;
}
const clearError = () => ($("error").hidden = true);

/** Runs a UI action: clears the last error, shows a new one in words. */
const action = (fn) => async (event) => {
  event?.preventDefault();
  clearError();
  try {
    await fn(event);
  } catch (err) {
    showError(err);
  }
};

// ---- small DOM helpers ----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

/** Fills a table: `columns` are [heading, value-of-row, numeric?]; a value may be a DOM node. */
function fill(table, columns, rows, empty = "Nothing to show.") {
  table.replaceChildren();
  if (rows.length === 0) {
    table.append(el("caption", {}, empty));
    return;
  }
  table.append(el("thead", {}, el("tr", {}, ...columns.map(([h, , num]) => el("th", { scope: "col", class: num ? "num" : "" }, h)))));
  table.append(el("tbody", {}, ...rows.map((r) => el("tr", {}, ...columns.map(([, v, num]) => el("td", { class: num ? "num" : "" }, v(r)))))));
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const skuLink = (sku) => el("button", { type: "button", class: "link", onclick: () => openSku(sku) }, sku);

/** A step chart of `series` over `points` as SVG: one circle per point per series, so it can be counted. */
function chart(container, points, series, label) {
  container.replaceChildren();
  if (points.length === 0) return;
  const W = 800, H = 240, P = 30;
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => series.map((s) => p[s]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y1 = Math.max(1, ...ys);
  const sx = (x) => P + ((x - x0) / Math.max(1, x1 - x0)) * (W - 2 * P);
  const sy = (y) => H - P - (y / y1) * (H - 2 * P);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const add = (tag, attrs) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
    return node;
  };
  add("line", { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: "#d0d7de" });
  add("text", { x: 2, y: P, "font-size": 12, fill: "#57606a" }).textContent = String(y1);
  add("text", { x: 2, y: H - P, "font-size": 12, fill: "#57606a" }).textContent = "0";
  // The first series is drawn last, on top, where the lines meet.
  for (const s of [...series].reverse()) {
    // Stock changes in steps at each move, so the line holds its level until the next one.
    const steps = points.flatMap((p, i) => [...(i > 0 ? [`${sx(p.x)},${sy(points[i - 1][s])}`] : []), `${sx(p.x)},${sy(p[s])}`]);
    add("polyline", { class: s, points: steps.join(" ") });
    for (const p of points) add("circle", { class: `${s} point`, cx: sx(p.x), cy: sy(p[s]), r: 2.5, "data-series": s });
  }
  container.append(svg, el("p", { class: "legend" }, series.map((s) => `${s.replace("_", " ")} (${s === "on_hand" ? "blue" : "green"})`).join(" · ")));
}

// ---- token and navigation -------------------------------------------------------------------------

/** The token's name, scope and SKU prefix, as GET /v1/token says (never the token itself). */
let signedInAs = null;

function describeToken(who) {
  const limits = who.sku_prefix ? `, SKUs starting with ${who.sku_prefix} only` : "";
  return `Signed in as ${who.name} (${who.scope}${limits}). Your changes are recorded as made by ${who.name}.`;
}

function showSignedIn() {
  const signedIn = Boolean(token);
  $("nav").hidden = !signedIn;
  $("main").hidden = !signedIn;
  $("token-state").textContent = !signedIn
    ? "Paste an API token to start."
    : signedInAs
      ? describeToken(signedInAs)
      : "Token set for this tab.";
}

$("token-form").addEventListener(
  "submit",
  action(async () => {
    const candidate = $("token").value.trim();
    $("token").value = "";
    const previous = token;
    token = candidate;
    try {
      signedInAs = await call("GET", "/v1/token");
    } catch (err) {
      token = previous;
      throw err;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    showSignedIn();
    await searchStock();
  }),
);
$("forget-token").addEventListener("click", () => {
  token = null;
  signedInAs = null;
  sessionStorage.removeItem(TOKEN_KEY);
  showSignedIn();
});

function show(view) {
  for (const button of document.querySelectorAll("nav button")) {
    if (button.dataset.view === view) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== `view-${view}`;
  clearError();
}
for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => show(button.dataset.view));

// ---- stock list -----------------------------------------------------------------------------------

let stockAfter = null;
async function searchStock(more = false) {
  const filter = $("stock-filter").value;
  const page = await call(
    "GET",
    `/v1/stock${query({
      prefix: $("stock-prefix").value.trim(),
      in_stock: filter === "in_stock" ? "true" : filter === "out" ? "false" : "",
      low: filter === "low" ? "true" : "",
      after_sku: more ? stockAfter : "",
      limit: 50,
    })}`,
  );
  stockAfter = page.next_after_sku;
  $("stock-more").hidden = stockAfter === null;
  fill($("stock-table"), [
    ["SKU", (s) => skuLink(s.sku)],
    ["on hand", (s) => s.on_hand, true],
    ["reserved", (s) => s.reserved, true],
    ["committed", (s) => s.committed, true],
    ["available", (s) => s.available, true],
    ["updated", (s) => when(s.updated_at)],
  ], page.items, "No SKU matches.");
}
$("stock-search").addEventListener("submit", action(() => searchStock()));
$("stock-more").addEventListener("click", action(() => searchStock(true)));

// ---- one SKU --------------------------------------------------------------------------------------

const CHART_MOVES = 2_000;
let current = { sku: null, moves: [], page: 0 };
const MOVES_PAGE = 50;

async function openSku(sku) {
  show("sku");
  $("sku-input").value = sku;
  clearError();
  try {
    await loadSku(sku);
  } catch (err) {
    $("sku-detail").hidden = true;
    showError(err);
  }
}

async function loadSku(sku) {
  const path = `/v1/products/${encodeURIComponent(sku)}`;
  const [stock, settings, holds, orders] = await Promise.all([
    call("GET", path),
    call("GET", `${path}/settings`),
    call("GET", `/v1/reservations${query({ sku, status: "active", limit: 100 })}`),
    call("GET", `/v1/orders${query({ sku, open: "true", limit: 100 })}`),
  ]);
  // The latest moves (all of them up to CHART_MOVES), page by page: the API's pages are at most 1,000 moves.
  const moves = [];
  for (let after = Math.max(0, stock.version - CHART_MOVES); moves.length < CHART_MOVES; ) {
    const page = await call("GET", `${path}/moves${query({ after_seq: after, limit: 1000 })}`);
    moves.push(...page.moves);
    if (page.next_after_seq === null) break;
    after = page.next_after_seq;
  }
  current = { sku, moves, page: 0 };
  $("sku-detail").hidden = false;
  $("h-sku").textContent = `SKU ${sku}`;
  $("sku-numbers").replaceChildren(
    ...["on_hand", "reserved", "committed", "available"].map((k) =>
      el("div", { "data-field": k }, el("dt", {}, k.replace("_", " ")), el("dd", {}, stock[k])),
    ),
  );
  const held = holds.items.map((r) => ({ ...r, quantity: r.lines.find((l) => l.sku === sku)?.quantity ?? 0 }));
  const open = orders.items.map((o) => {
    const line = o.lines.find((l) => l.sku === sku);
    return { ...o, outstanding: line ? line.committed - line.fulfilled - line.cancelled : 0 };
  });
  $("sku-explain").textContent =
    `${stock.available} available = ${stock.on_hand} on hand − ${stock.reserved} reserved by ${held.length} active reservation(s)` +
    ` − ${stock.committed} committed to ${open.length} open order(s). Version ${stock.version}, last move ${when(stock.updated_at)}.`;
  $("sku-chart-scope").textContent =
    moves.length < stock.version ? `The last ${moves.length} of ${stock.version} moves.` : `All ${moves.length} moves.`;
  chart(
    $("sku-chart"),
    moves.map((m) => ({ x: Date.parse(m.at) + m.seq / 1000, on_hand: m.on_hand, available: m.available })),
    ["on_hand", "available"],
    `On hand and available of ${sku} over ${moves.length} moves`,
  );
  fill($("sku-holds"), [
    ["reservation", (r) => r.id],
    ["holder", (r) => r.holder],
    ["quantity", (r) => r.quantity, true],
    ["expires", (r) => when(r.expires_at)],
  ], held, "No active reservation holds this SKU.");
  fill($("sku-orders"), [
    ["order", (o) => o.order_id],
    ["reservation", (o) => o.reservation_id],
    ["outstanding", (o) => o.outstanding, true],
    ["created", (o) => when(o.created_at)],
  ], open, "No open order of this SKU.");
  $("sku-threshold").value = settings.low_stock_threshold ?? "";
  showMoves();
}

function showMoves() {
  const newestFirst = [...current.moves].reverse();
  const page = newestFirst.slice(current.page * MOVES_PAGE, (current.page + 1) * MOVES_PAGE);
  $("sku-moves-prev").disabled = current.page === 0;
  $("sku-moves-next").disabled = (current.page + 1) * MOVES_PAGE >= newestFirst.length;
  fill($("sku-moves"), [
    ["seq", (m) => m.seq, true],
    ["type", (m) => m.type],
    ["quantity", (m) => m.quantity, true],
    ["on hand", (m) => m.on_hand, true],
    ["reserved", (m) => m.reserved, true],
    ["committed", (m) => m.committed, true],
    ["available", (m) => m.available, true],
    ["reservation / order", (m) => m.order_id ?? m.reservation_id ?? ""],
    ["reason / ref", (m) => [m.reason, m.ref].filter(Boolean).join(" · ")],
    ["by", (m) => m.actor ?? "(before v1.2)"],
    ["at", (m) => when(m.at)],
  ], page, "No moves.");
}
$("sku-moves-prev").addEventListener("click", () => { current.page -= 1; showMoves(); });
$("sku-moves-next").addEventListener("click", () => { current.page += 1; showMoves(); });
$("sku-open").addEventListener("submit", action(() => openSku($("sku-input").value.trim())));

$("sku-at").addEventListener(
  "submit",
  action(async () => {
    const at = new Date($("sku-at-input").value).toISOString();
    const s = await call("GET", `/v1/products/${encodeURIComponent(current.sku)}${query({ at })}`);
    $("sku-at-result").textContent =
      `At ${when(at)}: ${s.on_hand} on hand, ${s.reserved} reserved, ${s.committed} committed, ${s.available} available (version ${s.version}).`;
  }),
);

$("sku-settings").addEventListener(
  "submit",
  action(async () => {
    const raw = $("sku-threshold").value;
    await call("PUT", `/v1/products/${encodeURIComponent(current.sku)}/settings`, { low_stock_threshold: raw === "" ? null : Number(raw) });
    await loadSku(current.sku);
  }),
);

// ---- reservations and orders ----------------------------------------------------------------------

let resAfter = null;
async function searchReservations(more = false) {
  const page = await call("GET", `/v1/reservations${query({
    holder: $("res-holder").value.trim(), sku: $("res-sku").value.trim(), status: $("res-status").value,
    after: more ? resAfter : "", limit: 50,
  })}`);
  resAfter = page.next_after;
  $("res-more").hidden = resAfter === null;
  fill($("res-table"), [
    ["reservation", (r) => el("button", { type: "button", onclick: action(() => openReservation(r.id)) }, r.id)],
    ["holder", (r) => r.holder],
    ["status", (r) => r.status],
    ["lines", (r) => r.lines.map((l) => `${l.sku} × ${l.quantity}`).join(", ")],
    ["order", (r) => r.order_id ?? ""],
    ["updated", (r) => when(r.updated_at)],
  ], page.items, "No reservation matches.");
}

async function movesTable(filter) {
  const page = await call("GET", `/v1/moves${query({ ...filter, limit: 200 })}`);
  const table = el("table", { "aria-label": "Moves" });
  fill(table, [
    ["SKU", (m) => skuLink(m.sku)],
    ["seq", (m) => m.seq, true],
    ["type", (m) => m.type],
    ["quantity", (m) => m.quantity, true],
    ["by", (m) => m.actor ?? "(before v1.2)"],
    ["at", (m) => when(m.at)],
  ], page.moves, "No moves yet (the read model may lag by a moment).");
  return table;
}

async function openReservation(id) {
  const r = await call("GET", `/v1/reservations/${encodeURIComponent(id)}`);
  const box = $("res-detail");
  const lines = el("table", { "aria-label": "Reservation lines" });
  fill(lines, [["SKU", (l) => skuLink(l.sku)], ["quantity", (l) => l.quantity, true]], r.lines);
  box.replaceChildren(
    el("h3", {}, `Reservation ${r.id}`),
    el("p", {}, `${r.status}, held by ${r.holder}, expires ${when(r.expires_at)}${r.order_id ? `, order ${r.order_id}` : ""}.`),
    lines,
    el("h3", {}, "Its moves"),
    await movesTable({ reservation_id: r.id }),
  );
  box.hidden = false;
}
$("res-search").addEventListener("submit", action(() => searchReservations()));
$("res-more").addEventListener("click", action(() => searchReservations(true)));

let orderAfter = null;
async function searchOrders(more = false) {
  const page = await call("GET", `/v1/orders${query({
    reservation_id: $("order-res").value.trim(), sku: $("order-sku").value.trim(), open: $("order-open").value,
    after: more ? orderAfter : "", limit: 50,
  })}`);
  orderAfter = page.next_after;
  $("order-more").hidden = orderAfter === null;
  fill($("order-table"), [
    ["order", (o) => el("button", { type: "button", onclick: action(() => openOrder(o.order_id)) }, o.order_id)],
    ["reservation", (o) => o.reservation_id],
    ["lines", (o) => o.lines.map((l) => `${l.sku}: ${l.committed} (fulfilled ${l.fulfilled}, cancelled ${l.cancelled}, returned ${l.returned})`).join("; ")],
    ["updated", (o) => when(o.updated_at)],
  ], page.items, "No order matches.");
}

async function openOrder(id) {
  const o = await call("GET", `/v1/orders/${encodeURIComponent(id)}`);
  const lines = el("table", { "aria-label": "Order lines" });
  fill(lines, [
    ["SKU", (l) => skuLink(l.sku)],
    ["committed", (l) => l.committed, true],
    ["fulfilled", (l) => l.fulfilled, true],
    ["cancelled", (l) => l.cancelled, true],
    ["returned", (l) => l.returned, true],
  ], o.lines);
  $("order-detail").replaceChildren(el("h3", {}, `Order ${o.order_id}`), el("p", {}, `From reservation ${o.reservation_id}.`), lines, el("h3", {}, "Its moves"), await movesTable({ order_id: o.order_id }));
  $("order-detail").hidden = false;
}
$("order-search").addEventListener("submit", action(() => searchOrders()));
$("order-more").addEventListener("click", action(() => searchOrders(true)));

// ---- daily report ---------------------------------------------------------------------------------

$("report-form").addEventListener(
  "submit",
  action(async () => {
    const days = [];
    let after = "";
    do {
      const page = await call("GET", `/v1/reports/daily${query({ sku: $("report-sku").value.trim(), from: $("report-from").value, to: $("report-to").value, after, limit: 1000 })}`);
      days.push(...page.days);
      after = page.next_after;
    } while (after);
    chart($("report-chart"), days.map((d) => ({ x: Date.parse(d.day), on_hand: d.on_hand_end })), ["on_hand"], "On hand at the end of each day");
    fill($("report-table"), [
      ["day", (d) => d.day],
      ["received", (d) => d.received, true],
      ["adjusted", (d) => d.adjusted, true],
      ["reserved", (d) => d.reserved, true],
      ["released", (d) => d.released, true],
      ["committed", (d) => d.committed, true],
      ["fulfilled", (d) => d.fulfilled, true],
      ["cancelled", (d) => d.cancelled, true],
      ["returned", (d) => d.returned, true],
      ["on hand at end", (d) => d.on_hand_end, true],
    ], days, "No moves in those days.");
  }),
);

// ---- stocktake ------------------------------------------------------------------------------------

$("count-form").addEventListener(
  "submit",
  action(async () => {
    const sku = $("count-sku").value.trim();
    const result = await call("POST", `/v1/products/${encodeURIComponent(sku)}/count`, { on_hand: Number($("count-on-hand").value) });
    $("count-result").textContent = result.move
      ? `${sku}: on hand is now ${result.stock.on_hand} (${signed(result.move.quantity)}), ${result.stock.available} available.${shortNote(result.stock)}`
      : `${sku}: the count matched, nothing changed (${result.stock.on_hand} on hand).${shortNote(result.stock)}`;
    if (current.sku === sku) await loadSku(sku);
  }),
);

const signed = (n) => `${n > 0 ? "+" : ""}${n}`;

/** A count records the shelf even below what is held; then say how short the SKU is, and why. */
const shortNote = (stock) =>
  stock.available < 0
    ? ` Short by ${-stock.available}: ${stock.reserved + stock.committed} are reserved or committed, and no new hold is granted until it is received or counted back.`
    : "";

/** `sku,on_hand` lines, a header line allowed; each line parsed or marked with what is wrong with it. */
export function parseCounts(text) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line, i) => line && !(i === 0 && /^sku\s*,/i.test(line)))
    .map((line) => {
      const [sku = "", count = "", ...rest] = line.split(",").map((c) => c.trim());
      const onHand = /^\d+$/.test(count) ? Number(count) : NaN;
      const problem = !sku ? "no SKU" : Number.isNaN(onHand) ? "on_hand is not a whole number" : rest.length ? "more than two columns" : null;
      return { sku, on_hand: onHand, problem };
    });
}

let pending = [];
$("csv-form").addEventListener(
  "submit",
  action(async () => {
    const file = $("csv-file").files[0];
    pending = parseCounts(await file.text());
    fill($("csv-preview"), [
      ["SKU", (l) => l.sku],
      ["counted on hand", (l) => (Number.isNaN(l.on_hand) ? "?" : l.on_hand), true],
      ["check", (l) => l.problem ?? "ok"],
    ], pending, "The file has no lines.");
    $("csv-import").hidden = pending.length === 0 || pending.some((l) => l.problem);
    if (pending.some((l) => l.problem)) showError("Some lines cannot be imported; fix them in the file and preview again.");
    $("csv-results").replaceChildren();
  }),
);
$("csv-import").addEventListener(
  "click",
  action(async () => {
    // One key per import: sending the same import again (a double click, a retry) applies nothing twice.
    const key = crypto.randomUUID();
    const results = [];
    for (let i = 0; i < pending.length; i += 1000) {
      const lines = pending.slice(i, i + 1000).map(({ sku, on_hand }) => ({ sku, on_hand }));
      const answer = await call("POST", "/v1/counts", { lines, reason: "count" }, { "idempotency-key": `${key}-${i}` });
      results.push(...answer.results);
    }
    fill($("csv-results"), [
      ["SKU", (r) => r.sku],
      ["result", (r) => el("span", { class: r.ok ? "ok" : "bad" }, r.ok ? (r.move ? `on hand ${r.stock.on_hand} (${signed(r.move.quantity)})` : "unchanged") + shortNote(r.stock) : explain(new ApiError(409, r.error)))],
    ], results);
    $("csv-import").hidden = true;
  }),
);

// ---- webhooks -------------------------------------------------------------------------------------

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

async function listHooks() {
  const page = { items: await allHooks() };
  fill($("hook-table"), [
    ["id", (h) => el("button", { type: "button", onclick: action(() => showDeliveries(h.id)) }, h.id)],
    ["URL", (h) => h.url],
    ["events", (h) => h.events.join(", ")],
    ["description", (h) => h.description ?? ""],
    ["", (h) => el("button", { type: "button", onclick: action(async () => { await call("DELETE", `/v1/webhooks/${h.id}`); await listHooks(); }) }, "Delete")],
  ], page.items, "No webhooks yet.");
}

async function showDeliveries(id) {
  const page = await call("GET", `/v1/webhooks/${id}/deliveries?limit=100`);
  const table = el("table", { "aria-label": "Deliveries" });
  fill(table, [
    ["event", (d) => d.event_id],
    ["status", (d) => d.status],
    ["attempts", (d) => d.attempts, true],
    ["last answer", (d) => d.last_status_code ?? d.last_error ?? ""],
    ["next attempt", (d) => when(d.next_attempt_at)],
    ["delivered", (d) => when(d.delivered_at)],
    ["", (d) => d.status === "delivered" ? "" : el("button", {
      type: "button",
      "aria-label": `Retry ${d.event_id} now`,
      onclick: action(async () => { await call("POST", `/v1/webhooks/${id}/deliveries/${encodeURIComponent(d.event_id)}/retry`); await showDeliveries(id); }),
    }, "Retry now")],
  ], page.items, "No deliveries yet.");
  const ping = el("button", { type: "button", onclick: action(async () => { await call("POST", `/v1/webhooks/${id}/ping`); await showDeliveries(id); }) }, "Send a ping");
  $("hook-deliveries").replaceChildren(el("h3", {}, `Deliveries of ${id}`), ping, table);
  $("hook-deliveries").hidden = false;
}

$("hook-form").addEventListener(
  "submit",
  action(async () => {
    const form = $("hook-form");
    const events = [...form.querySelectorAll("input[name=events]:checked")].map((i) => i.value);
    const description = $("hook-description").value.trim();
    const created = await call("POST", "/v1/webhooks", { url: $("hook-url").value.trim(), events, ...(description ? { description } : {}) });
    $("hook-secret").textContent = `Created ${created.id}. Its signing secret, shown only now: ${created.secret}`;
    await listHooks();
  }),
);
document.querySelector('nav button[data-view="webhooks"]').addEventListener("click", action(listHooks));

// ---- start ----------------------------------------------------------------------------------------

showSignedIn();
if (token) {
  call("GET", "/v1/token")
    .then((who) => {
      signedInAs = who;
      showSignedIn();
    })
    .catch(showError);
  searchStock().catch(showError);
}
