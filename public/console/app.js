// The stockwell operator console: plain DOM and ES modules, no framework, no inline script (the page's CSP
// forbids it). Everything shown comes from the public API with the token typed in, which lives in this tab's
// sessionStorage only (api.js): never in a URL, never logged. Text from the API is only ever set as textContent.
// The address names the view and what it shows (`#/sku/TEE-RED-M`), so a view can be linked, and back and
// forward work.
import { call, session } from "./api.js";
import { $ } from "./dom.js";
import { action, clearError, showError } from "./ui.js";
import { reservationsView, ordersView } from "./views/activity.js";
import { locationsView } from "./views/locations.js";
import { reportView } from "./views/report.js";
import { skuView } from "./views/sku.js";
import { stockView } from "./views/stock.js";
import { stocktakeView } from "./views/stocktake.js";
import { webhooksView } from "./views/webhooks.js";
import { healthView } from "./views/health.js";

const VIEWS = {
  stock: stockView,
  sku: skuView,
  reservations: reservationsView,
  orders: ordersView,
  report: reportView,
  stocktake: stocktakeView,
  locations: locationsView,
  webhooks: webhooksView,
  health: healthView,
};

/** `#/view/id?query` → the view, the id it opens and its query. */
function route() {
  const match = /^#\/([a-z]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(location.hash);
  const view = match && VIEWS[match[1]] ? match[1] : "stock";
  const id = match?.[2] ? decodeURIComponent(match[2]) : "";
  return { view, id, params: Object.fromEntries(new URLSearchParams(match?.[3] ?? "")) };
}

let renders = 0;

async function render() {
  if (!session.token) return;
  const mine = ++renders;
  const { view, id, params } = route();
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== `view-${view}`;
  clearError();
  for (const [name, v] of Object.entries(VIEWS)) if (name !== view) v.hide?.();
  try {
    await VIEWS[view].show(id, params);
  } catch (err) {
    showError(err);
  }
  // Which address the page has finished showing (tests and screenshots wait for it); a later one wins.
  if (mine === renders) $("main").dataset.rendered = location.hash;
}
addEventListener("hashchange", render);

// ---- the token ------------------------------------------------------------------------------------

function describe(who) {
  const limits = who.sku_prefix ? `, SKUs starting with ${who.sku_prefix} only` : "";
  return `Signed in as ${who.name} (${who.scope}${limits}). Your changes are recorded as made by ${who.name}.`;
}

function showSignedIn() {
  const signedIn = Boolean(session.token && session.who);
  $("nav").hidden = !signedIn;
  $("main").hidden = !signedIn;
  $("token-state").textContent = signedIn ? describe(session.who) : "Not signed in. Paste an API token to start.";
}

$("token-form").addEventListener(
  "submit",
  action(async () => {
    const candidate = $("token").value.trim();
    $("token").value = "";
    // Asked with the candidate alone: a refused token changes nothing, and says so.
    session.who = await call("GET", "/v1/token", undefined, {}, candidate).catch((err) => {
      showSignedIn();
      throw err;
    });
    session.keep(candidate);
    showSignedIn();
    await render();
  }),
);
$("forget-token").addEventListener("click", () => {
  session.forget();
  showSignedIn();
});

showSignedIn();
if (session.token) {
  call("GET", "/v1/token")
    .then(async (who) => {
      session.who = who;
      showSignedIn();
      await render();
    })
    .catch((err) => {
      session.forget();
      showSignedIn();
      showError(err);
    });
}
