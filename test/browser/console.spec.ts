// The operator console in a real browser (Debian's Chromium, driven by playwright-core) against `npm start`,
// doing what an operator does: sign in, search, open a SKU and see why its available is what it is, count,
// import counts, and read the errors. Takes docs/console-sku.png for the README.
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const base = inject("baseUrl");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the background-networking flags, Chromium keeps dialling Google's hosts, which this network refuses.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ADMIN = "local-admin-token";
const run = `BRW${Date.now().toString(36).toUpperCase()}`;

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

async function signedIn(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
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

// TEE-RED-M: 10 received; alice holds 5; bob's 2 were committed into an order. So 3 are available.
const tee = `${run}-TEE-RED-M`;
let receivedAt = "";
beforeAll(async () => {
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
  it("asks for a token, says so in words when it is wrong, and keeps it out of the URL and of localStorage", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    expect(await page.getByRole("navigation", { name: "Sections" }).isVisible()).toBe(false);
    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toContain("That token was not accepted");
    await page.getByLabel("API token").fill(ADMIN);
    await page.getByRole("button", { name: "Use token" }).click();
    await page.getByRole("navigation", { name: "Sections" }).waitFor();
    expect(page.url()).toBe(`${base}/console/`);
    // (v1.2) The token's name, never the token: the name every change made here is recorded under.
    expect(await text(page, "#token-state")).toContain("Signed in as admin (admin)");
    expect(await text(page, "#token-state")).not.toContain(ADMIN);
    expect(await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.getItem("stockwell.token") }))).toEqual({ local: 0, session: ADMIN });
    await page.close();
  });

  it("finds SKUs by prefix and filters the low ones", async () => {
    const page = await signedIn();
    await page.getByLabel("SKU", { exact: true }).fill(`${run}-TEE`);
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#stock-table tbody tr").count()).toBe(2);
    expect(await text(page, "#stock-table tbody")).not.toContain(`${run}-MUG`);
    await api("PUT", `/v1/products/${run}-MUG/settings`, { low_stock_threshold: 7 });
    await untilRead(`/v1/stock?prefix=${run}&low=true`, (b) => b.items.length === 1);
    await page.getByLabel("SKU", { exact: true }).fill(run);
    await page.getByLabel("Show").selectOption("low");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#stock-table tbody tr").count()).toBe(1);
    expect(await text(page, "#stock-table tbody")).toContain(`${run}-MUG`);
    await page.close();
  });

  it("answers why TEE-RED-M shows 3 available: the numbers, who holds them, its ledger as a chart, and the stock at an instant", async () => {
    const page = await signedIn();
    await page.getByLabel("SKU", { exact: true }).fill(tee);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("button", { name: tee }).click();
    await page.locator("#sku-detail [data-field=available] dd").waitFor();
    expect(await numbers(page)).toEqual({ on_hand: 10, reserved: 5, committed: 2, available: 3 });
    expect(await text(page, "#sku-explain")).toContain("3 available = 10 on hand − 5 reserved by 1 active reservation(s) − 2 committed to 1 open order(s)");
    expect(await text(page, "#sku-holds")).toContain(`${run}-cart-alice`);
    expect(await text(page, "#sku-orders")).toContain(`${run}-order-1`);

    const ledger = await api("GET", `/v1/products/${tee}/moves`);
    expect(await page.locator("#sku-chart circle[data-series=on_hand]").count()).toBe(ledger.moves.length);
    expect(await page.locator("#sku-chart circle[data-series=available]").count()).toBe(ledger.moves.length);
    expect(await page.locator("#sku-moves tbody tr").count()).toBe(ledger.moves.length);
    // (v1.2) Who made each move: every one here was made with the admin token.
    const by = await page.locator("#sku-moves tbody tr td:nth-child(10)").allInnerTexts();
    expect(by).toEqual(ledger.moves.map(() => "admin"));

    // A whole second after the receipt (the field takes seconds, in the browser's zone: UTC here).
    const instant = new Date(Math.floor(Date.parse(receivedAt) / 1000) * 1000 + 1000).toISOString().slice(0, 19);
    await page.getByLabel("Stock at").fill(instant);
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.locator("#sku-at-result", { hasText: "available" }).waitFor();
    expect(await text(page, "#sku-at-result")).toContain("10 on hand, 0 reserved, 0 committed, 10 available (version 1)");

    await page.screenshot({ path: "docs/console-sku.png", fullPage: true });
    await page.close();
  });

  it("records a count and the SKU's numbers change", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Stocktake" }).click();
    await page.getByLabel("Count SKU").fill(tee);
    await page.getByLabel("Counted on hand").fill("12");
    await page.getByRole("button", { name: "Record count" }).click();
    await page.locator("#count-result", { hasText: "on hand is now 12" }).waitFor();
    await page.getByRole("button", { name: "SKU", exact: true }).click();
    await page.getByLabel("SKU to open").fill(tee);
    await page.getByRole("button", { name: "Open" }).click();
    await page.locator("#sku-detail [data-field=on_hand] dd", { hasText: "12" }).waitFor();
    expect(await numbers(page)).toEqual({ on_hand: 12, reserved: 5, committed: 2, available: 5 });
    await page.close();
  });

  it("records a count below what is held, and says the SKU is short and why", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Stocktake" }).click();
    await page.getByLabel("Count SKU").fill(tee);
    await page.getByLabel("Counted on hand").fill("3");
    await page.getByRole("button", { name: "Record count" }).click();
    await page.locator("#count-result", { hasText: "on hand is now 3" }).waitFor();
    expect(await text(page, "#count-result")).toBe(
      `${tee}: on hand is now 3 (-9), -4 available. Short by 4: 7 are reserved or committed, and no new hold is granted until it is received or counted back.`,
    );
    expect(await page.getByRole("alert").count()).toBe(0);
    const stock = await api("GET", `/v1/products/${tee}`);
    expect([stock.on_hand, stock.available]).toEqual([3, -4]);
    await api("POST", `/v1/products/${tee}/count`, { on_hand: 12 });
    await page.close();
  });

  it("imports a CSV of counts with a preview and a result per line", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Stocktake" }).click();
    const csv = `sku,on_hand\n${run}-TEE-RED-L,6\n${run}-MUG,7\n${tee},0\n`;
    await page.getByLabel("CSV file").setInputFiles({ name: "counts.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator("#csv-preview tbody tr").nth(2).waitFor();
    expect(await page.locator("#csv-preview tbody tr").count()).toBe(3);
    await page.getByRole("button", { name: "Import counts" }).click();
    await page.locator("#csv-results tbody tr").nth(2).waitFor();
    const rows = await page.locator("#csv-results tbody tr").allInnerTexts();
    expect(rows[0]).toContain("on hand 6 (+2)");
    expect(rows[1]).toContain("unchanged");
    expect(rows[2]).toContain("on hand 0 (-12) Short by 7: 7 are reserved or committed");
    expect((await api("GET", `/v1/products/${run}-TEE-RED-L`)).on_hand).toBe(6);
    await page.close();
  });

  it("finds a reservation by holder and opens it with its lines and moves; charts the daily report", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Reservations", exact: true }).click();
    await page.getByLabel("Holder").fill("alice");
    await page.getByLabel("Reservation SKU").fill(tee);
    await page.getByRole("button", { name: "Search reservations" }).click();
    await page.getByRole("button", { name: `${run}-cart-alice` }).click();
    await page.locator("#res-detail", { hasText: "held by alice" }).waitFor();
    expect(await text(page, "#res-detail")).toContain(`${tee}\t5`);
    await expect.poll(() => page.locator("#res-detail table[aria-label=Moves] tbody tr").count()).toBe(1);

    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole("button", { name: "Daily report" }).click();
    await page.getByLabel("Report SKU").fill(tee);
    await page.getByLabel("From", { exact: true }).fill(today);
    await page.getByLabel("To", { exact: true }).fill(today);
    await page.getByRole("button", { name: "Show report" }).click();
    await page.locator("#report-table tbody tr").waitFor();
    expect(await page.locator("#report-chart circle").count()).toBe(1);
    expect(await text(page, "#report-table tbody")).toContain(today);
    await page.close();
  });

  it("creates a webhook and shows its secret once, then lists it without", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Webhooks" }).click();
    await page.getByLabel("Endpoint URL").fill(`https://hooks.invalid/${run}`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.locator("#hook-secret", { hasText: "whsec_" }).waitFor();
    await page.locator("#hook-table td", { hasText: `https://hooks.invalid/${run}` }).waitFor();
    expect(await text(page, "#hook-table")).not.toContain("whsec_");
    const { items } = await api("GET", "/v1/webhooks?limit=1000");
    for (const hook of items.filter((h: any) => h.url.endsWith(run))) await api("DELETE", `/v1/webhooks/${hook.id}`);
    await page.close();
  });

  it("labels every control and fits a phone's width", async () => {
    const page = await signedIn({ width: 390, height: 844 });
    for (const view of ["Stock", "SKU", "Reservations", "Orders", "Daily report", "Stocktake", "Webhooks"]) {
      await page.getByRole("button", { name: view, exact: true }).click();
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
      expect(await page.evaluate(() => document.documentElement.scrollWidth), view).toBeLessThanOrEqual(390);
    }
    await page.close();
  });
});
