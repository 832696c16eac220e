// Small DOM helpers. Text from the API is only ever set as textContent, never as HTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

/**
 * Fills a table. `columns` are [heading, value-of-row, options?] with options `num` (right-aligned) and
 * `key` (on a phone, where each row is a card, the key cells come first). `rowClass` marks rows.
 */
export function fill(table, columns, rows, empty = "Nothing to show.", rowClass = () => "") {
  table.replaceChildren();
  table.classList.add("cards");
  if (rows.length === 0) {
    table.append(el("caption", { class: "empty" }, empty));
    return;
  }
  const opts = (c) => (typeof c[2] === "object" ? c[2] : { num: c[2] === true });
  table.append(el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", { scope: "col", class: opts(c).num ? "num" : "" }, c[0])))));
  table.append(
    el("tbody", {}, ...rows.map((r) =>
      el("tr", { class: rowClass(r) || undefined }, ...columns.map((c) =>
        el("td", { class: [opts(c).num ? "num" : "", opts(c).key ? "key" : ""].join(" ").trim() || undefined, "data-label": c[0] }, c[1](r)))),
    )),
  );
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
export const signed = (n) => `${n > 0 ? "+" : ""}${n}`;

/**
 * What a stock row needs an operator's eye for, in words (never by colour alone): short (below what holds may
 * take it to), out of stock, or low (at or below its threshold).
 */
export function cueOf(stock, threshold) {
  if (stock.available < 0) return { word: "short", class: "cue-short" };
  if (stock.available <= 0) return { word: "out", class: "cue-out" };
  if (threshold !== null && threshold !== undefined && stock.available <= threshold) return { word: "low", class: "cue-low" };
  return null;
}
export const cueCell = (cue) => (cue ? el("span", { class: `badge ${cue.class}` }, cue.word) : "");

/** A CSV file from rows, quoted where needed, handed to the browser as a download. */
export function downloadCsv(filename, headings, rows) {
  const cell = (v) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [headings, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
