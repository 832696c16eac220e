declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Base URL of the webhook receivers the tests run in Node (test/setup/webhook-receivers.ts). */
    WEBHOOK_RECEIVERS: string;
  }
}
