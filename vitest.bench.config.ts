// `npm run bench` only: the in-runtime benchmark, inside workerd with real Durable Objects and local D1.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { startCpuMeter } from "./bench/cpu-meter.ts";
import { startWebhookReceivers } from "./test/setup/webhook-receivers.ts";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));
// The webhook endpoint of the events benchmark: a real HTTP server in this process.
const receivers = await startWebhookReceivers();
// The CPU benchmark's meter: every workerd process's CPU time, read from /proc by this process.
const cpuMeter = await startCpuMeter();

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./bench/worker.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          API_TOKENS: "read:bench-read-token,write:bench-write-token,admin:bench-admin-token",
          TEST_MIGRATIONS: migrations,
          WEBHOOK_SIGNING_KEY: "bench-webhook-signing-key",
          ALLOW_INSECURE_WEBHOOKS: "true",
          WEBHOOK_RECEIVERS: receivers.url,
          CPU_METER: cpuMeter,
        },
        // stockwell's objects as wrangler.toml binds them, and the reference implementations (bench/reference.ts).
        durableObjects: {
          PRODUCT_STOCK: { className: "ProductStock", useSQLite: true },
          RESERVATION: { className: "Reservation", useSQLite: true },
          ORDER: { className: "Order", useSQLite: true },
          CATALOG: { className: "Catalog", useSQLite: true },
          WEBHOOK_ENDPOINT: { className: "WebhookEndpoint", useSQLite: true },
          LOCATION_REGISTRY: { className: "LocationRegistry", useSQLite: true },
          BUNDLE_REGISTRY: { className: "BundleRegistry", useSQLite: true },
          MIN_PRODUCT: { className: "MinProduct", useSQLite: true },
          MIN_RESERVATION: { className: "MinReservation", useSQLite: true },
        },
      },
    }),
  ],
  test: {
    include: ["bench/**/*.bench.ts"],
    // One file at a time: two benchmarks sharing the runtime would measure each other.
    fileParallelism: false,
    setupFiles: ["./test/setup/apply-migrations.ts"],
    testTimeout: 900_000,
  },
});
