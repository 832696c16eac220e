import type { ProductStock } from "../durable-objects/product-stock/ProductStock";

/** The Worker's bindings (wrangler.toml), merged into the runtime's global `Cloudflare.Env`. */
declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      PRODUCT_STOCK: DurableObjectNamespace<ProductStock>;
      /** Secret: comma-separated `scope:token` pairs, scope `read` or `write`. */
      API_TOKENS?: string;
      /** Days of raw moves kept in D1 (default 90). */
      MOVES_RETENTION_DAYS?: string;
    }
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "ProductStock";
    }
  }
}

export type Env = Cloudflare.Env;
