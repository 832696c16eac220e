// The daily report of one SKU: a bar per day of on_hand at its end, and the day's sums.
import { allPages } from "../api.js";
import { dailyChart } from "../chart.js";
import { $, downloadCsv, fill } from "../dom.js";
import { action, go } from "../ui.js";

const COLUMNS = ["day", "received", "adjusted", "reserved", "released", "committed", "fulfilled", "cancelled", "returned", "transferred", "on_hand_end"];
let days = [];
let shown = {};

async function show(params) {
  shown = params;
  $("report-sku").value = params.sku ?? "";
  $("report-from").value = params.from ?? "";
  $("report-to").value = params.to ?? "";
  if (!params.sku || !params.from || !params.to) return;
  days = await allPages("/v1/reports/daily", { ...params, limit: 1000 }, (p) => p.days, (p) => (p.next_after ? { after: p.next_after } : null));
  dailyChart($("report-chart"), days, { label: `On hand of ${params.sku} at the end of each day`, value: (d) => d.on_hand_end });
  fill($("report-table"), COLUMNS.map((c, i) => [c === "on_hand_end" ? "on hand at end" : c, (d) => d[c], { num: i > 0, key: ["day", "on_hand_end"].includes(c) }]), days, "No moves in those days.");
}

$("report-form").addEventListener("submit", action(() => go("report", "", { sku: $("report-sku").value.trim(), from: $("report-from").value, to: $("report-to").value })));
$("report-export").addEventListener("click", action(async () => {
  if (days.length === 0) await show(shown);
  downloadCsv(`${shown.sku ?? "report"}-daily.csv`, COLUMNS, days.map((d) => COLUMNS.map((c) => d[c])));
}));

export const reportView = { show: (_id, params) => show(params) };
