// Stocktakes: one count, or a CSV of counts previewed against what stockwell holds, then imported line by line.
import { ApiError, call, explain, query, write } from "../api.js";
import { $, el, fill, signed } from "../dom.js";
import { action, confirmed, notify, writeAction } from "../ui.js";
import { shortNote } from "./sku.js";

/** API.md's SKU pattern: the preview refuses what the API would refuse. */
const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_ON_HAND = 1_000_000;

/** `sku,on_hand` lines, a header line allowed; each line parsed, or marked with what the API would say of it. */
export function parseCounts(text) {
  const seen = new Set();
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line, i) => line && !(i === 0 && /^sku\s*,/i.test(line)))
    .map((line) => {
      const [sku = "", count = "", ...rest] = line.split(",").map((c) => c.trim());
      const onHand = /^-?\d+$/.test(count) ? Number(count) : NaN;
      const problem = !sku
        ? "no SKU"
        : !SKU_PATTERN.test(sku)
          ? "not a SKU: letters, digits and . _ : - only, 64 at most"
          : seen.has(sku)
            ? "SKU listed twice"
            : count === ""
              ? "no count"
              : Number.isNaN(onHand)
                ? "the count is not a whole number"
                : onHand < 0
                  ? "the count is negative"
                  : onHand > MAX_ON_HAND
                    ? "the count is over 1,000,000"
                    : rest.length
                      ? "more than two columns"
                      : null;
      seen.add(sku);
      return { sku, on_hand: onHand, problem };
    });
}

/** What stockwell holds on hand now for each SKU (the read model, 100 SKUs a call); absent: never counted. */
async function onHandNow(skus) {
  const now = new Map();
  for (let i = 0; i < skus.length; i += 100) {
    const page = await call("GET", `/v1/stock${query({ sku: skus.slice(i, i + 100).join(","), limit: 100 })}`);
    for (const s of page.items) now.set(s.sku, s.on_hand);
  }
  return now;
}

writeAction($("count-form"), () => `Record ${$("count-on-hand").value} of ${$("count-sku").value.trim()} counted? On hand becomes what was counted.`,
  () => write("POST", `/v1/products/${encodeURIComponent($("count-sku").value.trim())}/count`, { on_hand: Number($("count-on-hand").value) }),
  (result) => {
    const sku = result.stock.sku;
    $("count-result").textContent = result.move
      ? `${sku}: on hand is now ${result.stock.on_hand} (${signed(result.move.quantity)}), ${result.stock.available} available.${shortNote(result.stock)}`
      : `${sku}: the count matched, nothing changed (${result.stock.on_hand} on hand).${shortNote(result.stock)}`;
    return `Count of ${sku} recorded.`;
  });

let pending = [];
$("csv-form").addEventListener(
  "submit",
  action(async () => {
    const lines = parseCounts(await $("csv-file").files[0].text());
    const good = lines.filter((l) => !l.problem);
    const now = await onHandNow(good.map((l) => l.sku));
    pending = lines.map((l) => ({ ...l, expected: l.problem ? null : (now.get(l.sku) ?? 0) }));
    fill($("csv-preview"), [
      ["SKU", (l) => l.sku || "—", { key: true }],
      ["expected", (l) => l.expected ?? "", true],
      ["counted", (l) => (Number.isNaN(l.on_hand) ? "?" : l.on_hand), { num: true, key: true }],
      ["variance", (l) => (l.expected === null ? "" : signed(l.on_hand - l.expected)), { num: true, key: true }],
      ["check", (l) => el("span", { class: l.problem ? "bad" : "ok" }, l.problem ?? "ok"), { key: true }],
    ], pending, "The file has no lines.", (l) => (l.problem ? "cue-bad" : ""));
    const skipped = pending.length - good.length;
    $("csv-summary").textContent = `${good.length} line(s) ready${skipped ? `, ${skipped} with a problem left out` : ""}.`;
    $("csv-import").hidden = good.length === 0;
    $("csv-import").textContent = `Import ${good.length} count(s)`;
    $("csv-results").replaceChildren();
  }),
);
$("csv-import").addEventListener(
  "click",
  action(async () => {
    const lines = pending.filter((l) => !l.problem).map(({ sku, on_hand }) => ({ sku, on_hand }));
    if (!(await confirmed(`Import ${lines.length} count(s)? On hand of each SKU becomes what was counted.`))) return;
    $("csv-import").disabled = true;
    const results = [];
    try {
      for (let i = 0; i < lines.length; i += 1000) {
        // The same batch sent again (a double click, a retry) carries the same key: nothing is applied twice.
        const answer = await write("POST", "/v1/counts", { lines: lines.slice(i, i + 1000), reason: "count" });
        results.push(...answer.results);
      }
    } finally {
      $("csv-import").disabled = false;
    }
    fill($("csv-results"), [
      ["SKU", (r) => r.sku, { key: true }],
      ["result", (r) => el("span", { class: r.ok ? "ok" : "bad" }, r.ok ? (r.move ? `on hand ${r.stock.on_hand} (${signed(r.move.quantity)})` : "unchanged") + shortNote(r.stock) : explain(new ApiError(409, r.error))), { key: true }],
    ], results);
    $("csv-import").hidden = true;
    notify(`${results.filter((r) => r.ok).length} of ${results.length} count(s) applied.`);
  }),
);

export const stocktakeView = { show: async () => {} };
