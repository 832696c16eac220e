// The Worker `npm run bench` runs in: stockwell as deployed, plus the reference implementations beside it.
// (Named re-exports: the runtime's `exports` lists only what the entry names itself.) stockwell's objects
// are the service's own classes, each naming its storage for the storage-work counters (bench/counters.ts).
import * as service from "../src/worker/index";
import { countAs } from "./counters";

export { default, InventoryService } from "../src/worker/index";
export { MinProduct, MinReservation, MinService } from "./reference";

// `any[]`: the constructor signature TypeScript requires of a mixin's base.
type ObjectClass = new (...args: any[]) => object;

/** The class as it is, its storage named `kind` before its own constructor runs (schema checks included). */
function counted<T extends ObjectClass>(Base: T, kind: string): T {
  const Counted = class extends Base {
    constructor(...args: any[]) {
      countAs((args[0] as DurableObjectState).storage, kind);
      super(...args);
    }
  };
  return Object.defineProperty(Counted, "name", { value: Base.name });
}

export const ProductStock = counted(service.ProductStock, "product");
export const Reservation = counted(service.Reservation, "reservation");
export const Order = counted(service.Order, "order");
export const Catalog = counted(service.Catalog, "catalog");
export const WebhookEndpoint = counted(service.WebhookEndpoint, "webhook");
export const LocationRegistry = counted(service.LocationRegistry, "location_registry");
export const BundleRegistry = counted(service.BundleRegistry, "bundle_registry");
