// The stock list: by SKU prefix and filter, with low, out and short rows marked in words.
import { allPages, call, query } from "../api.js";
import { $, cueCell, cueOf, downloadCsv, el, fill, when } from "../dom.js";
import { action, go, link } from "../ui.js";

const FILTERS = { in_stock: { in_stock: "true" }, out: { in_stock: "false" }, low: { low: "true" }, short: { short: "true" } };
let after = null;
let shown = {};

const paramsOf = ({ prefix = "", filter = "" }) => ({ prefix, ...(FILTERS[filter] ?? {}) });

export const skuLink = (sku) => el("a", { href: link("sku", sku) }, sku);

async function search(params, more = false) {
  shown = params;
  $("stock-prefix").value = params.prefix ?? "";
  $("stock-filter").value = params.filter ?? "";
  const page = await call("GET", `/v1/stock${query({ ...paramsOf(params), after_sku: more ? after : "", limit: 50 })}`);
  after = page.next_after_sku;
  $("stock-more").hidden = after === null;
  // Each SKU's threshold, from its own settings (the list does not carry it): a page is at most 50 SKUs.
  const thresholds = new Map(await Promise.all(page.items.filter((s) => !s.bundle).map(async (s) =>
    [s.sku, (await call("GET", `/v1/products/${encodeURIComponent(s.sku)}/settings`)).low_stock_threshold])));
  const cue = (s) => cueOf(s, thresholds.get(s.sku) ?? null);
  fill($("stock-table"), [
    ["SKU", (s) => skuLink(s.sku), { key: true }],
    ["status", (s) => cueCell(cue(s)), { key: true }],
    ["available", (s) => s.available, { num: true, key: true }],
    ["on hand", (s) => s.on_hand ?? "", true],
    ["reserved", (s) => s.reserved ?? "", true],
    ["committed", (s) => s.committed ?? "", true],
    ["low at", (s) => thresholds.get(s.sku) ?? "—", true],
    ["updated", (s) => (s.bundle ? "bundle" : when(s.updated_at))],
  ], page.items, "No SKU matches.", (s) => cue(s)?.class ?? "");
}

export const stockView = {
  show: (_id, params) => search(params),
};

$("stock-search").addEventListener("submit", action(() => go("stock", "", { prefix: $("stock-prefix").value.trim(), filter: $("stock-filter").value })));
$("stock-more").addEventListener("click", action(() => search(shown, true)));
$("stock-export").addEventListener(
  "click",
  action(async () => {
    const items = await allPages("/v1/stock", { ...paramsOf(shown), limit: 1000 }, (p) => p.items, (p) => (p.next_after_sku ? { after_sku: p.next_after_sku } : null));
    downloadCsv("stock.csv", ["sku", "on_hand", "reserved", "committed", "available", "updated_at"],
      items.map((s) => [s.sku, s.on_hand, s.reserved, s.committed, s.available, s.updated_at]));
  }),
);
