import type { ObjectBindings } from "../durable-objects/bindings";

/** The Worker's bindings (wrangler.toml), merged into the runtime's global `Cloudflare.Env`. */
declare global {
  namespace Cloudflare {
    interface Env extends ObjectBindings {
      /**
       * Secret: comma-separated `scope:token` pairs (scope `read`, `write` or `admin`), or (v1.2) a JSON array of
       * `{name, scope, token, sku_prefix?}` (src/http/tokens.ts).
       */
      API_TOKENS?: string;
      /** Days of raw moves kept in D1 (default 90). */
      MOVES_RETENTION_DAYS?: string;
      /** "true": webhook URLs may be http://127.0.0.1 or http://localhost (local development). */
      ALLOW_INSECURE_WEBHOOKS?: string;
      /** Workers static assets: the operator console (public/). */
      ASSETS: Fetcher;
    }
    interface GlobalProps {
      mainModule: typeof import("./worker/index");
      durableNamespaces: "ProductStock" | "Reservation" | "Order" | "Catalog" | "WebhookEndpoint" | "LocationRegistry" | "BundleRegistry";
    }
  }
}

export type Env = Cloudflare.Env;
