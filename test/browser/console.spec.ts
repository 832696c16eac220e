// The operator console in a real browser (Debian's Chromium, driven by playwright-core) against `npm start`,
// doing what an operator does in a day: sign in, find a SKU and see why its available is what it is,
// receive a PO, count, transfer, release a stuck cart, fulfil and return an order, redeliver a webhook,
// import counts, follow a SKU live, link and export, on a desk and on a phone. Takes the screenshots of
// docs/console.md.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const base = inject("baseUrl");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the background-networking flags, Chromium keeps dialling Google's hosts, which this network refuses.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ADMIN = "local-admin-token";
const run = `BRW${Date.now().toString(36).toUpperCase()}`;
const DESK = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
});

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(payload)}`);
  return payload;
}

/** Waits until the read model (D1) shows what `ready` wants: the console's lists read it. */
async function untilRead(path: string, ready: (body: any) => boolean) {
  for (let i = 0; i < 100; i++) {
    if (ready(await api("GET", path))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the read model never showed what ${path} should`);
}

/** Every POST the console sends, to check each carried an Idempotency-Key. */
const posts: Array<{ url: string; key: string | undefined }> = [];

async function signedIn(viewport = DESK, options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport, ...options });
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push({ url: r.url(), key: r.headers()["idempotency-key"] });
  });
  await page.goto(`${base}/console/`);
  await page.getByLabel("API token").fill(ADMIN);
  await page.getByRole("button", { name: "Use token" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const numbers = async (page: Page) =>
  Object.fromEntries(
    await Promise.all(
      ["on_hand", "reserved", "committed", "available"].map(async (k) => [k, Number(await text(page, `[data-field=${k}] dd`))]),
    ),
  );
const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true }).click();

/** Confirms the dialog a write opens, checking it says what the write will do. */
async function confirm(page: Page, says: string | RegExp) {
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  expect(await dialog.innerText()).toMatch(says);
  await dialog.getByRole("button", { name: "Confirm" }).click();
}
const notice = (page: Page, says: string) => page.locator("#notice", { hasText: says }).waitFor();

/** Opens the console at `hash` and waits until the view has finished showing it. */
async function shown(page: Page, hash: string) {
  await page.goto(`${base}/console/${hash}`);
  await page.waitForFunction((h) => document.querySelector("main")?.dataset.rendered === h, hash);
}

async function openSku(page: Page, sku: string) {
  await page.goto(`${base}/console/#/sku/${encodeURIComponent(sku)}`);
  await page.locator("#sku-detail [data-field=available] dd").waitFor();
}

// TEE-RED-M: 10 received; alice holds 5; bob's 2 were committed into an order. So 3 are available.
const tee = `${run}-TEE-RED-M`;
const second = `${run.toLowerCase()}-shelf`;
let receivedAt = "";
beforeAll(async () => {
  await api("PUT", `/v1/locations/${second}`, { name: "Back shelf", priority: 200 });
  receivedAt = (await api("POST", `/v1/products/${tee}/receive`, { quantity: 10, ref: "PO-1" })).move.at;
  // The reservations start a second later, so "stock at" a whole second after the receipt sees it alone.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await api("PUT", `/v1/reservations/${run}-cart-alice`, { holder: "alice", lines: [{ sku: tee, quantity: 5 }], ttl_seconds: 3600 });
  await api("PUT", `/v1/reservations/${run}-cart-bob`, { holder: "bob", lines: [{ sku: tee, quantity: 2 }], ttl_seconds: 3600 });
  await api("POST", `/v1/reservations/${run}-cart-bob/commit`, { order_id: `${run}-order-1` });
  await api("POST", `/v1/products/${run}-TEE-RED-L/receive`, { quantity: 4 });
  await api("POST", `/v1/products/${run}-MUG/receive`, { quantity: 7 });
  await untilRead(`/v1/stock?prefix=${run}`, (b) => b.items.length === 3 && b.items.some((s: any) => s.sku === tee && s.committed === 2));
  await untilRead(`/v1/reservations?sku=${tee}&status=active`, (b) => b.items.length === 1);
  await untilRead(`/v1/orders?sku=${tee}&open=true`, (b) => b.items.length === 1);
}, 60_000);

describe("the operator console", () => {
  it("asks for a token, says so in words when it is wrong, names the token once right, and keeps it out of the URL", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    expect(await page.getByRole("navigation", { name: "Sections" }).isVisible()).toBe(false);
    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toContain("That token was not accepted");
    // A refused token never reads as set.
    expect(await text(page, "#token-state")).toContain("Not signed in");
    await page.getByLabel("API token").fill(ADMIN);
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByRole("navigation", { name: "Sections" }).waitFor();
    expect(page.url()).not.toContain(ADMIN);
    // (v1.2) The token's name, never the token: the name every change made here is recorded under.
    expect(await text(page, "#token-state")).toContain("Signed in as admin (admin)");
    expect(await text(page, "#token-state")).not.toContain(ADMIN);
    expect(await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.getItem("stockwell.token") }))).toEqual({ local: 0, session: ADMIN });
    await page.close();
  });

  it("finds SKUs by prefix, marks low, out and short rows in words, and links the search", async () => {
    const page = await signedIn();
    await page.getByLabel("SKU", { exact: true }).fill(`${run}-TEE`);
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#stock-table tbody tr").count()).toBe(2);
    expect(page.url()).toContain(`#/stock?prefix=${run}-TEE`);
    expect(await text(page, "#stock-table tbody")).not.toContain(`${run}-MUG`);
    await api("PUT", `/v1/products/${run}-MUG/settings`, { low_stock_threshold: 7 });
    await untilRead(`/v1/stock?prefix=${run}&low=true`, (b) => b.items.length === 1);
    await page.getByLabel("SKU", { exact: true }).fill(run);
    await page.getByLabel("Show").selectOption("low");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#stock-table tbody tr").count()).toBe(1);
    const row = page.locator("#stock-table tbody tr");
    expect(await row.innerText()).toMatch(new RegExp(`${run}-MUG\\s+low\\s+7`, "i"));
    expect(await row.getAttribute("class")).toBe("cue-low");
    // The address names the search: opened afresh, it shows the same rows.
    await page.reload();
    await expect.poll(() => page.locator("#stock-table tbody tr").count()).toBe(1);
    expect(await page.getByLabel("Show").inputValue()).toBe("low");
    await page.close();
  });

  it("answers why TEE-RED-M shows 3 available: the numbers, who holds them, its ledger as a chart with a time axis, and the stock at an instant", async () => {
    const page = await signedIn();
    await page.getByLabel("SKU", { exact: true }).fill(tee);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: tee }).click();
    await page.locator("#sku-detail [data-field=available] dd").waitFor();
    expect(page.url()).toContain(`#/sku/${tee}`);
    expect(await numbers(page)).toEqual({ on_hand: 10, reserved: 5, committed: 2, available: 3 });
    expect(await text(page, "#sku-explain")).toContain("3 available = 10 on hand − 5 reserved by 1 active reservation(s) − 2 committed to 1 open order(s)");
    expect(await text(page, "#sku-holds")).toContain(`${run}-cart-alice`);
    expect(await text(page, "#sku-orders")).toContain(`${run}-order-1`);

    const ledger = await api("GET", `/v1/products/${tee}/moves`);
    expect(await page.locator("#sku-chart circle[data-series=on_hand]").count()).toBe(ledger.moves.length);
    expect(await page.locator("#sku-chart circle[data-series=available]").count()).toBe(ledger.moves.length);
    expect(await page.locator("#sku-chart text", { hasText: "moves in order" }).count()).toBe(1);
    expect(await page.locator("#sku-moves tbody tr").count()).toBe(ledger.moves.length);
    // (v1.2) Who made each move: every one here was made with the admin token.
    const by = await page.locator("#sku-moves tbody tr td[data-label=by]").allInnerTexts();
    expect(by).toEqual(ledger.moves.map(() => "admin"));

    // A whole second after the receipt (the field takes seconds, in the browser's zone: UTC here).
    const instant = new Date(Math.floor(Date.parse(receivedAt) / 1000) * 1000 + 1000).toISOString().slice(0, 19);
    await page.getByLabel("Stock at").fill(instant);
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.locator("#sku-at-result", { hasText: "available" }).waitFor();
    expect(await text(page, "#sku-at-result")).toContain("10 on hand, 0 reserved, 0 committed, 10 available (version 1)");

    await page.close();
  });

  it("receives a PO, adjusts, transfers and saves settings, each confirmed in words and recorded once", async () => {
    const sku = `${run}-PO`;
    await api("POST", `/v1/products/${sku}/receive`, { quantity: 1 });
    const page = await signedIn();
    await openSku(page, sku);

    await page.getByLabel("Quantity received").fill("40");
    await page.getByLabel("Receive ref").fill("PO-77");
    await page.getByRole("button", { name: "Receive units" }).click();
    await confirm(page, `Receive 40 of ${sku} at default?`);
    await notice(page, "Received");
    await expect.poll(() => numbers(page)).toMatchObject({ on_hand: 41 });

    await page.getByLabel("Change on hand by").fill("-2");
    await page.getByLabel("Adjust reason").fill("damaged");
    await page.getByRole("button", { name: "Adjust stock" }).click();
    await confirm(page, `Change on hand of ${sku} at default by -2 (damaged)?`);
    await notice(page, "Adjusted");

    await page.getByLabel("Units to move").fill("5");
    await page.getByLabel("To location").selectOption(second);
    await page.getByRole("button", { name: "Transfer units" }).click();
    await confirm(page, `Move 5 of ${sku} from default to ${second}?`);
    await notice(page, `Moved 5 of ${sku} from default to ${second}`);
    await page.locator("#sku-locations tbody tr", { hasText: second }).waitFor();

    await page.getByLabel("Low-stock threshold").fill("50");
    await page.getByLabel("Backorder limit").fill("3");
    await page.getByRole("button", { name: "Save settings" }).click();
    await confirm(page, "low-stock threshold 50, backorder limit 3, preorders off");
    await notice(page, "saved");
    expect(await api("GET", `/v1/products/${sku}/settings`)).toMatchObject({ low_stock_threshold: 50, backorder_limit: 3 });
    // Now below its threshold: the SKU says it is low, in words, and the chart draws the threshold.
    await page.locator("[data-field=status] dd", { hasText: "low" }).waitFor();
    expect(await page.locator("#sku-chart line.threshold").count()).toBe(1);

    const moves = (await api("GET", `/v1/products/${sku}/moves`)).moves;
    expect(moves.map((m: any) => [m.type, m.quantity, m.ref ?? m.reason, m.actor])).toEqual([
      ["received", 1, null, "admin"],
      ["received", 40, "PO-77", "admin"],
      ["adjusted", -2, "damaged", "admin"],
      ["transferred", 5, null, "admin"],
    ]);
    await page.close();
  });

  it("cancels a write when the operator says no", async () => {
    const sku = `${run}-NO`;
    await api("POST", `/v1/products/${sku}/receive`, { quantity: 2 });
    const page = await signedIn();
    await openSku(page, sku);
    await page.getByLabel("Quantity received").fill("9");
    await page.getByRole("button", { name: "Receive units" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect((await api("GET", `/v1/products/${sku}`)).version).toBe(1);
    await page.close();
  });

  it("declares incoming units and cancels them", async () => {
    const sku = `${run}-INC`;
    await api("POST", `/v1/products/${sku}/receive`, { quantity: 1 });
    const page = await signedIn();
    await openSku(page, sku);
    await page.getByLabel("Incoming id").fill("PO-9");
    await page.getByLabel("Units expected").fill("12");
    await page.getByLabel("Expected on").fill("2027-03-01");
    await page.getByRole("button", { name: "Save incoming" }).click();
    await confirm(page, `Expect 12 of ${sku} at default on 2027-03-01 (PO-9)?`);
    await page.locator("#sku-incoming tbody tr", { hasText: "PO-9" }).waitFor();
    await page.getByRole("button", { name: "Cancel incoming PO-9" }).click();
    await confirm(page, "stop expecting its 12 unit(s)");
    await notice(page, "Incoming PO-9 cancelled");
    expect((await api("GET", `/v1/products/${sku}/incoming/PO-9`)).status).toBe("cancelled");
    await page.close();
  });

  it("makes a SKU with no moves a bundle, and adds a location", async () => {
    const kit = `${run}-KIT`;
    const page = await signedIn();
    await page.goto(`${base}/console/#/sku/${kit}`);
    await page.locator("#sku-missing", { hasText: "has no moves yet" }).waitFor();
    await page.getByLabel("Components (SKU × quantity, one per line)").fill(`${run}-MUG × 2\n${run}-TEE-RED-L × 1`);
    await page.getByRole("button", { name: "Save bundle" }).click();
    await confirm(page, `Make ${kit} a bundle of 2 × ${run}-MUG, 1 × ${run}-TEE-RED-L?`);
    await page.locator("#bundle-detail", { hasText: "is a bundle" }).waitFor();
    expect((await api("GET", `/v1/bundles/${kit}`)).components).toEqual([
      { sku: `${run}-MUG`, quantity: 2 },
      { sku: `${run}-TEE-RED-L`, quantity: 1 },
    ]);

    await nav(page, "Locations");
    await page.getByLabel("Location id").fill(`${run.toLowerCase()}-east`);
    await page.getByLabel("Location name").fill("East warehouse");
    await page.getByRole("button", { name: "Save location" }).click();
    await confirm(page, `Save location ${run.toLowerCase()}-east ("East warehouse", priority 100, active)?`);
    await page.locator("#location-table tbody tr", { hasText: "East warehouse" }).waitFor();
    expect((await api("GET", `/v1/locations/${run.toLowerCase()}-east`)).name).toBe("East warehouse");
    await page.close();
  });

  it("follows the SKU's new moves live, and pauses while the tab is hidden", async () => {
    const page = await signedIn();
    await openSku(page, tee);
    await page.locator("#sku-live", { hasText: "Following new moves live" }).waitFor();
    const before = (await numbers(page)).on_hand;
    await api("POST", `/v1/products/${tee}/receive`, { quantity: 3, ref: "live" });
    await page.locator("[data-field=on_hand] dd", { hasText: String(before + 3) }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#sku-moves tbody tr").first().innerText()).toContain("live");
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.locator("#sku-live", { hasText: "paused" }).waitFor();
    await api("POST", `/v1/products/${tee}/adjust`, { delta: -3, reason: "live test" });
    await page.close();
  });

  it("releases a stuck cart, then fulfils and returns an order, from their own links", async () => {
    const sku = `${run}-ORD`;
    await api("POST", `/v1/products/${sku}/receive`, { quantity: 6 });
    await api("PUT", `/v1/reservations/${run}-stuck`, { holder: "carol", lines: [{ sku, quantity: 2 }], ttl_seconds: 3600 });
    await api("PUT", `/v1/reservations/${run}-paid`, { holder: "dave", lines: [{ sku, quantity: 3 }], ttl_seconds: 3600 });
    await api("POST", `/v1/reservations/${run}-paid/commit`, { order_id: `${run}-order-2` });
    const page = await signedIn();

    await page.goto(`${base}/console/#/reservations/${run}-stuck`);
    await page.locator("#res-detail", { hasText: "held by carol" }).waitFor();
    await page.getByRole("button", { name: `Release ${run}-stuck` }).click();
    await confirm(page, `Release reservation ${run}-stuck`);
    await notice(page, "is released");
    expect((await api("GET", `/v1/reservations/${run}-stuck`)).status).toBe("released");

    await page.goto(`${base}/console/#/orders/${run}-order-2`);
    await page.getByLabel(`Units of ${sku}`).waitFor();
    await page.getByLabel(`Units of ${sku}`).fill("2");
    await page.getByRole("button", { name: `Fulfil ${sku}` }).click();
    await confirm(page, `Fulfil 2 of ${sku} on order ${run}-order-2`);
    await notice(page, "Fulfil: 2");
    await page.getByLabel(`Units of ${sku}`).fill("1");
    await page.getByRole("button", { name: `Return ${sku}` }).click();
    await confirm(page, `Return 1 of ${sku}`);
    await notice(page, "Return: 1");
    await page.getByLabel(`Units of ${sku}`).fill("1");
    await page.getByRole("button", { name: `Cancel ${sku}` }).click();
    await confirm(page, `Cancel 1 of ${sku}`);
    await notice(page, "Cancel: 1");
    const order = await api("GET", `/v1/orders/${run}-order-2`);
    expect(order.lines[0]).toMatchObject({ committed: 3, fulfilled: 2, cancelled: 1, returned: 1 });
    // Back goes to the reservation, forward to the order again.
    await page.goBack();
    await page.locator("#res-detail", { hasText: "carol" }).waitFor();
    await page.goForward();
    await page.locator("#order-detail", { hasText: `${run}-order-2` }).waitFor();
    await page.close();
  });

  it("records a count below what is held, and says the SKU is short and why", async () => {
    const page = await signedIn();
    await nav(page, "Stocktake");
    await page.getByLabel("Count SKU").fill(tee);
    await page.getByLabel("Counted on hand").fill("3");
    await page.getByRole("button", { name: "Record count" }).click();
    await confirm(page, `Record 3 of ${tee} counted?`);
    await page.locator("#count-result", { hasText: "on hand is now 3" }).waitFor();
    expect(await text(page, "#count-result")).toBe(
      `${tee}: on hand is now 3 (-7), -4 available. Short by 4: 7 are reserved or committed, and no new hold is granted until it is received or counted back.`,
    );
    expect(await page.getByRole("alert").count()).toBe(0);
    await openSku(page, tee);
    await page.locator("[data-field=status] dd", { hasText: "short" }).waitFor();
    await api("POST", `/v1/products/${tee}/count`, { on_hand: 10 });
    await page.close();
  });

  it("previews a CSV of counts against stockwell's own numbers and imports the good lines", async () => {
    const page = await signedIn();
    await nav(page, "Stocktake");
    const csv = `sku,on_hand\n${run}-TEE-RED-L,6\n${run}-MUG,7\nbad sku,3\n${run}-NEW,-2\n${run}-NEW2,1.5\n`;
    await page.getByLabel("CSV file").setInputFiles({ name: "counts.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator("#csv-preview tbody tr").nth(4).waitFor();
    const preview = await page.locator("#csv-preview tbody tr").allInnerTexts();
    const stock = await api("GET", `/v1/stock?sku=${run}-TEE-RED-L,${run}-MUG`);
    const onHand = (sku: string) => stock.items.find((s: any) => s.sku === sku).on_hand;
    expect(preview[0]).toMatch(new RegExp(`${onHand(`${run}-TEE-RED-L`)}\\s+6\\s+\\+2\\s+ok`));
    expect(preview[1]).toMatch(new RegExp(`${onHand(`${run}-MUG`)}\\s+7\\s+0\\s+ok`));
    expect(preview[2]).toContain("not a SKU");
    expect(preview[3]).toContain("the count is negative");
    expect(preview[4]).toContain("not a whole number");
    expect(await text(page, "#csv-summary")).toBe("2 line(s) ready, 3 with a problem left out.");
    await page.getByRole("button", { name: "Import 2 count(s)" }).click();
    await confirm(page, "Import 2 count(s)?");
    await page.locator("#csv-results tbody tr").nth(1).waitFor();
    const rows = await page.locator("#csv-results tbody tr").allInnerTexts();
    expect(rows[0]).toContain("on hand 6 (+2)");
    expect(rows[1]).toContain("unchanged");
    expect((await api("GET", `/v1/products/${run}-TEE-RED-L`)).on_hand).toBe(6);
    await page.close();
  });

  it("exports the stock list and a ledger as CSV, every page from the API", async () => {
    const page = await signedIn();
    await page.goto(`${base}/console/#/stock?prefix=${run}`);
    await page.locator("#stock-table tbody tr").first().waitFor();
    const [stockCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const stockText = readFileSync((await stockCsv.path())!, "utf8");
    const listed = (await api("GET", `/v1/stock?prefix=${run}&limit=1000`)).items;
    expect(stockText.split("\r\n")[0]).toBe("sku,on_hand,reserved,committed,available,updated_at");
    expect(stockText.trim().split("\r\n")).toHaveLength(listed.length + 1);

    await openSku(page, tee);
    const [ledgerCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export ledger CSV" }).click()]);
    const lines = readFileSync((await ledgerCsv.path())!, "utf8").trim().split("\r\n");
    expect(lines).toHaveLength((await api("GET", `/v1/products/${tee}`)).version + 1);
    await page.close();
  });

  it("finds a reservation by holder and charts the daily report as a bar per day", async () => {
    const page = await signedIn();
    await nav(page, "Reservations");
    await page.getByLabel("Holder").fill("alice");
    await page.getByLabel("Reservation SKU").fill(tee);
    await page.getByRole("button", { name: "Search reservations" }).click();
    await page.getByRole("link", { name: `${run}-cart-alice` }).click();
    await page.locator("#res-detail", { hasText: "held by alice" }).waitFor();
    expect(await text(page, "#res-detail")).toContain(`${tee}\t5`);
    await expect.poll(() => page.locator("#res-detail table[aria-label=Moves] tbody tr").count()).toBe(1);

    const today = new Date().toISOString().slice(0, 10);
    await nav(page, "Daily report");
    await page.getByLabel("Report SKU").fill(tee);
    await page.getByLabel("From", { exact: true }).fill(today);
    await page.getByLabel("To", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#report-table tbody tr").waitFor();
    expect(await page.locator("#report-chart rect.bar").count()).toBe(1);
    expect(await page.locator("#report-chart text", { hasText: today }).count()).toBe(1);
    await page.close();
  });

  it("creates a webhook, shows its secret once, redelivers a failed delivery and deletes it", async () => {
    const page = await signedIn();
    await nav(page, "Webhooks");
    const url = `https://hooks.invalid/${run}`;
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("every change").check();
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.locator("#hook-secret", { hasText: "whsec_" }).waitFor();
    await page.locator("#hook-table td", { hasText: url }).waitFor();
    expect(await text(page, "#hook-table")).not.toContain("whsec_");
    const hook = (await api("GET", "/v1/webhooks?limit=1000")).items.find((h: any) => h.url === url);
    // A move makes an event; .invalid never answers, so its delivery fails and waits for a retry.
    await api("POST", `/v1/products/${run}-HOOK/receive`, { quantity: 1 });
    let deliveries: any[] = [];
    for (let i = 0; i < 100 && !deliveries.some((d) => d.attempts > 0); i++) {
      deliveries = (await api("GET", `/v1/webhooks/${hook.id}/deliveries`)).items;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const event = deliveries.find((d) => d.attempts > 0);
    await page.goto(`${base}/console/#/webhooks/${hook.id}`);
    await page.getByRole("button", { name: `Redeliver ${event.event_id} now` }).click();
    await confirm(page, `Send ${event.event_id} to the webhook again now`);
    await notice(page, "is being sent again");
    await page.getByRole("button", { name: `Delete webhook ${hook.id}` }).click();
    await confirm(page, `Delete webhook ${hook.id}`);
    await notice(page, "deleted");
    expect((await api("GET", "/v1/webhooks?limit=1000")).items.some((h: any) => h.id === hook.id)).toBe(false);
    await page.close();
  });

  it("shows health: D1 answering, the newest move's age, and each webhook's backlog", async () => {
    const page = await signedIn();
    await nav(page, "Health");
    await page.locator("#health-facts dd", { hasText: /^answers \(\d+ ms\)$/ }).waitFor();
    const health = await api("GET", "/v1/admin/health");
    const facts = await text(page, "#health-facts");
    expect(facts).toMatch(new RegExp(`Outboxes behind\\s+${health.lagging.total}`));
    expect(facts).toMatch(/Newest move in D1\s+.+ ago/);
    for (const hook of health.webhooks) expect(await text(page, "#health-webhooks")).toContain(hook.id);
    await page.close();
  });

  it("sent an Idempotency-Key with every POST it made", () => {
    expect(posts.length).toBeGreaterThan(5);
    expect(posts.filter((p) => !p.key)).toEqual([]);
  });

  it("has no serious or critical accessibility violation in any view (axe-core), and labels every control", async () => {
    // axe is injected as a script, which the page's CSP forbids: this page alone bypasses it.
    const page = await signedIn(DESK, { bypassCSP: true });
    for (const [view, hash] of VIEWS) {
      await shown(page, hash);
      await page.addScriptTag({ content: AXE });
      const violations = await page.evaluate(async () => {
        const result = await (window as any).axe.run(document, { resultTypes: ["violations"] });
        return result.violations
          .filter((v: any) => v.impact === "serious" || v.impact === "critical")
          .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
      });
      expect(violations, view).toEqual([]);
      // Nothing is cut at 1280 wide: no table, and so no column or button, runs past the page.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("table")].filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((t) => t.getAttribute("aria-label")),
      );
      expect(wide, view).toEqual([]);
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("input, select, textarea, button")]
          .filter((el) => el.offsetParent !== null)
          .filter((el) => {
            const labels = (el as HTMLInputElement).labels;
            const name = (labels && labels.length > 0 ? labels[0]!.textContent : null) ?? el.getAttribute("aria-label") ?? el.textContent;
            return !name || name.trim() === "";
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unlabelled, view).toEqual([]);
    }
    await page.close();
  });

  it("fits a phone: no view scrolls sideways, and every table shows its key columns as cards", async () => {
    const page = await signedIn(PHONE);
    for (const [view, hash] of VIEWS) {
      await shown(page, hash);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), view).toBeLessThanOrEqual(PHONE.width);
    }
    await shown(page, `#/stock?prefix=${run}`);
    const cell = page.locator("#stock-table tbody tr").first().locator("td[data-label=available]");
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await page.close();
  });

  it("takes a desktop and a phone picture of each view for docs/console.md", async () => {
    for (const [size, viewport] of [["desktop", DESK], ["phone", PHONE]] as const) {
      const page = await signedIn(viewport);
      for (const [view, hash] of VIEWS) {
        await shown(page, hash);
        await page.screenshot({ path: `docs/console/${view}-${size}.png`, fullPage: size === "phone" ? false : true });
      }
      await page.close();
    }
  });
});

const VIEWS: Array<[string, string]> = [
  ["stock", `#/stock?prefix=${run}`],
  ["sku", `#/sku/${tee}`],
  ["reservations", `#/reservations/${run}-cart-alice?holder=alice`],
  ["orders", `#/orders/${run}-order-1?sku=${tee}`],
  ["report", `#/report?sku=${tee}&from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`],
  ["stocktake", "#/stocktake"],
  ["locations", "#/locations"],
  ["webhooks", "#/webhooks"],
  ["health", "#/health"],
];
