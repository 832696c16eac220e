import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { startWebhookReceivers } from "./test/setup/webhook-receivers.ts";

// Wrangler reads a developer's .dev.vars for every test file and says so each time; the tests set their own
// tokens, so its info-level notices are noise here (warnings and errors still show).
process.env.WRANGLER_LOG ??= "warn";

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const migrations = await readD1Migrations(path("./migrations"));

// The example checkout Worker is tested against the real stockwell, bundled by wrangler and run beside
// it as an auxiliary Worker, bound the way it is in production: a service binding to InventoryService.
const STOCKWELL_BUNDLE = ".wrangler/test-bundle";
execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", STOCKWELL_BUNDLE, "--config", "wrangler.toml"], {
  stdio: "ignore",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
const D1_ID = "checkout-example-stockwell-db";

// The endpoints webhook deliveries go to: real HTTP servers in this process (test/setup/webhook-receivers.ts).
const receivers = await startWebhookReceivers();

/**
 * Tests that act on the whole runtime (they abort every object, run the retention cron over all of D1, or
 * page the unfiltered feed) and so run each in a runtime of its own.
 */
const OWN_RUNTIME = [
  "test/crash-recovery.test.ts",
  "test/failures.test.ts",
  "test/feed-windows.test.ts",
  "test/read-side.test.ts",
  "test/retention-rebuild.test.ts",
  // Its subscriptions hear every SKU's events.
  "test/webhooks.test.ts",
  // The registry is one object for the whole service, and this file fills it to its limit.
  "test/locations.test.ts",
];

const TEST_TOKENS = [
  { name: "read", scope: "read", token: "test-read-token" },
  { name: "write", scope: "write", token: "test-write-token" },
  { name: "admin", scope: "admin", token: "test-admin-token" },
  { name: "ops:alice", scope: "write", token: "test-alice-token" },
  { name: "seller-s1", scope: "write", token: "test-seller-s1-token", sku_prefix: "S1-" },
  { name: "seller-s1-reader", scope: "read", token: "test-seller-s1-reader-token", sku_prefix: "S1-" },
];

/** The service in workerd with its real Durable Objects, D1 and alarms, and the test tokens. */
function stockwell(name: string, files: { include: string[]; exclude?: string[]; isolate?: boolean }) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            // (v1.2) Named tokens: the three scopes' tokens keep their v1.1 names, and an operator and two
            // sellers are named apart (test/who-did-it.test.ts). The v1.1 list is tested on its own there.
            API_TOKENS: JSON.stringify(TEST_TOKENS),
            TEST_MIGRATIONS: migrations,
            WEBHOOK_SIGNING_KEY: "test-webhook-signing-key",
            ALLOW_INSECURE_WEBHOOKS: "true",
            WEBHOOK_RECEIVERS: receivers.url,
          },
        },
      }),
    ],
    test: { name, ...files, setupFiles: ["./test/setup/apply-migrations.ts"] },
  };
}

export default defineConfig({
  test: {
    reporters: ["default", "./test/setup/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        // Pure modules and the repository's own documents, in plain Node: no runtime needed.
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // node:sqlite (the seed's test reads its database) warns that it is experimental: known, not news.
          execArgv: ["--disable-warning=ExperimentalWarning"],
        },
      },
      // One runtime reused across the files (each file's data is its own by unique ids): twice as fast as
      // a runtime per file.
      stockwell("stockwell", { include: ["test/**/*.test.ts"], exclude: ["test/unit/**", "test/bound/**", "test/live/**", ...OWN_RUNTIME], isolate: false }),
      stockwell("stockwell-own-runtime", { include: OWN_RUNTIME }),
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./examples/checkout/wrangler.toml" },
            miniflare: {
              // The same D1 database as the auxiliary stockwell, so the setup file can migrate it.
              d1Databases: { DB: D1_ID },
              bindings: { TEST_MIGRATIONS: migrations },
              workers: [
                {
                  name: "stockwell",
                  modules: true,
                  scriptPath: path(`${STOCKWELL_BUNDLE}/index.js`),
                  compatibilityDate: "2026-11-01",
                  durableObjects: {
                    PRODUCT_STOCK: { className: "ProductStock", useSQLite: true },
                    RESERVATION: { className: "Reservation", useSQLite: true },
                    ORDER: { className: "Order", useSQLite: true },
                    CATALOG: { className: "Catalog", useSQLite: true },
                    WEBHOOK_ENDPOINT: { className: "WebhookEndpoint", useSQLite: true },
                    LOCATION_REGISTRY: { className: "LocationRegistry", useSQLite: true },
                    BUNDLE_REGISTRY: { className: "BundleRegistry", useSQLite: true },
                  },
                  queueProducers: { STOCK_EVENTS: "checkout-example-stock-events" },
                  d1Databases: { DB: D1_ID },
                  bindings: { MOVES_RETENTION_DAYS: "90", API_TOKENS: "write:example-write-token" },
                },
              ],
            },
          }),
        ],
        test: {
          name: "checkout-example",
          // Also stockwell's own tests that must call it from another Worker, through the binding.
          include: ["examples/checkout/test/**/*.test.ts", "test/bound/**/*.test.ts"],
          setupFiles: ["./test/setup/apply-migrations.ts"],
        },
      },
    ],
  },
});
