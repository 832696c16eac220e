// Charts as SVG, drawn from numbers only. Stock changes at moves, so a ledger is drawn as steps, one step per
// move, evenly spaced: a burst of moves seconds apart stays readable, and the time axis names when they were.

const NS = "http://www.w3.org/2000/svg";
const W = 800;
const H = 260;
const PAD = { left: 48, right: 16, top: 16, bottom: 44 };

function svgOf(label) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  return { svg, add };
}

/** The y scale from min (never above 0) to max (never below 1), with its labelled ticks. */
function yScale(values) {
  const lo = Math.min(0, ...values);
  const hi = Math.max(1, ...values);
  const y = (v) => H - PAD.bottom - ((v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  return { y, ticks: [...new Set([lo, 0, hi])] };
}

function axes(add, y, ticks, xTicks) {
  for (const t of ticks) {
    add("line", { x1: PAD.left, y1: y(t), x2: W - PAD.right, y2: y(t), class: t === 0 ? "axis" : "grid" });
    add("text", { x: PAD.left - 6, y: y(t) + 4, "text-anchor": "end", class: "tick" }, String(t));
  }
  for (const { x, label } of xTicks) {
    add("line", { x1: x, y1: H - PAD.bottom, x2: x, y2: H - PAD.bottom + 5, class: "axis" });
    add("text", { x, y: H - PAD.bottom + 18, "text-anchor": "middle", class: "tick" }, label);
  }
}

const shortTime = (ms) => new Date(ms).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/**
 * A ledger as steps: `points` are moves in order ({at, on_hand, available}); one circle per move per series
 * (so it can be counted), a time axis naming the first, middle and last move, and the low-stock threshold as
 * a dashed line when there is one.
 */
export function ledgerChart(container, points, series, { label, threshold = null }) {
  container.replaceChildren();
  if (points.length === 0) return;
  const { svg, add } = svgOf(label);
  const { y, ticks } = yScale([...points.flatMap((p) => series.map((s) => p[s])), ...(threshold === null ? [] : [threshold])]);
  const step = (W - PAD.left - PAD.right) / Math.max(1, points.length);
  const x = (i) => PAD.left + i * step;
  const marks = [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])];
  axes(add, y, ticks, marks.map((i) => ({ x: x(i) + step / 2, label: shortTime(Date.parse(points[i].at)) })));
  add("text", { x: W / 2, y: H - 6, "text-anchor": "middle", class: "tick" }, `moves in order (${points.length}), with their times`);
  if (threshold !== null) {
    add("line", { x1: PAD.left, y1: y(threshold), x2: W - PAD.right, y2: y(threshold), class: "threshold" });
    add("text", { x: W - PAD.right, y: y(threshold) - 4, "text-anchor": "end", class: "tick" }, `low-stock threshold ${threshold}`);
  }
  for (const s of [...series].reverse()) {
    const path = points.flatMap((p, i) => [`${x(i)},${y(p[s])}`, `${x(i + 1)},${y(p[s])}`]);
    add("polyline", { class: s, points: path.join(" ") });
    points.forEach((p, i) => add("circle", { class: `${s} point`, cx: x(i) + step / 2, cy: y(p[s]), r: 2.5, "data-series": s }));
  }
  container.append(svg);
}

/** One bar per day (a single day is a bar, not a dot lost on an axis), each labelled with its day. */
export function dailyChart(container, days, { label, value, threshold = null }) {
  container.replaceChildren();
  if (days.length === 0) return;
  const { svg, add } = svgOf(label);
  const { y, ticks } = yScale([...days.map(value), ...(threshold === null ? [] : [threshold])]);
  const slot = (W - PAD.left - PAD.right) / days.length;
  const every = Math.max(1, Math.ceil(days.length / 8));
  axes(add, y, ticks, days.flatMap((d, i) => (i % every === 0 ? [{ x: PAD.left + (i + 0.5) * slot, label: d.day }] : [])));
  days.forEach((d, i) => {
    const v = value(d);
    add("rect", {
      class: "bar",
      x: PAD.left + i * slot + slot * 0.15,
      width: slot * 0.7,
      y: Math.min(y(v), y(0)),
      height: Math.max(1, Math.abs(y(0) - y(v))),
      "data-day": d.day,
    });
  });
  if (threshold !== null) add("line", { x1: PAD.left, y1: y(threshold), x2: W - PAD.right, y2: y(threshold), class: "threshold" });
  container.append(svg);
}
