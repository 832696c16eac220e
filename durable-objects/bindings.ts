/**
 * The bindings the Durable Objects use. The only module that names the object classes, and only as types:
 * the Worker's own `Env` (src/env.ts) extends it with what only the edge needs.
 */
import type { Catalog } from "./catalog/Catalog";
import type { Order } from "./order/Order";
import type { ProductStock } from "./product-stock/ProductStock";
import type { Reservation } from "./reservation/Reservation";

export interface ObjectBindings {
  /** The read model the projection writes. */
  DB: D1Database;
  PRODUCT_STOCK: DurableObjectNamespace<ProductStock>;
  RESERVATION: DurableObjectNamespace<Reservation>;
  ORDER: DurableObjectNamespace<Order>;
  CATALOG: DurableObjectNamespace<Catalog>;
}
