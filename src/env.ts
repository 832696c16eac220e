import type { Catalog } from "../durable-objects/catalog/Catalog";
import type { Order } from "../durable-objects/order/Order";
import type { ProductStock } from "../durable-objects/product-stock/ProductStock";
import type { Reservation } from "../durable-objects/reservation/Reservation";

/** The Worker's bindings (wrangler.toml), merged into the runtime's global `Cloudflare.Env`. */
declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      PRODUCT_STOCK: DurableObjectNamespace<ProductStock>;
      RESERVATION: DurableObjectNamespace<Reservation>;
      ORDER: DurableObjectNamespace<Order>;
      CATALOG: DurableObjectNamespace<Catalog>;
      /** Secret: comma-separated `scope:token` pairs, scope `read` or `write`. */
      API_TOKENS?: string;
      /** Days of raw moves kept in D1 (default 90). */
      MOVES_RETENTION_DAYS?: string;
    }
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "ProductStock" | "Reservation" | "Order" | "Catalog";
    }
  }
}

export type Env = Cloudflare.Env;
