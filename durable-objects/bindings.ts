/**
 * The bindings the Durable Objects use. The only module that names the object classes, and only as types:
 * the Worker's own `Env` (src/env.ts) extends it with what only the edge needs.
 */
import type { BundleRegistry } from "./bundles/BundleRegistry";
import type { Catalog } from "./catalog/Catalog";
import type { StockEvent } from "./domain/stock-events";
import type { LocationRegistry } from "./locations/LocationRegistry";
import type { Order } from "./order/Order";
import type { ProductStock } from "./product-stock/ProductStock";
import type { Reservation } from "./reservation/Reservation";
import type { WebhookEndpoint } from "./webhook/WebhookEndpoint";

export interface ObjectBindings {
  /** The read model the projection writes. */
  DB: D1Database;
  PRODUCT_STOCK: DurableObjectNamespace<ProductStock>;
  RESERVATION: DurableObjectNamespace<Reservation>;
  ORDER: DurableObjectNamespace<Order>;
  CATALOG: DurableObjectNamespace<Catalog>;
  /** (v1.2) One object: the locations stock may sit at. */
  LOCATION_REGISTRY: DurableObjectNamespace<LocationRegistry>;
  /** (v1.2) One object: every bundle's definition. */
  BUNDLE_REGISTRY: DurableObjectNamespace<BundleRegistry>;
  /**
   * Stock events (contract v1.1), sent by each SKU's object and fanned out to webhooks by the Worker. A
   * message is the events of consecutive moves of one SKU, in seq order.
   */
  STOCK_EVENTS: Queue<StockEvent[]>;
  /** One object per webhook subscription: its deliveries and their attempts. */
  WEBHOOK_ENDPOINT: DurableObjectNamespace<WebhookEndpoint>;
  /** Secret: the key new webhooks' secrets are derived from (see webhook/signing.ts). */
  WEBHOOK_SIGNING_KEY?: string;
  /** Secret: earlier signing keys, comma-separated, that webhooks made with them keep signing with. */
  WEBHOOK_SIGNING_KEYS_PREVIOUS?: string;
}
