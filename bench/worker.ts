// The Worker `npm run bench` runs in: stockwell as deployed, plus the reference implementations beside it.
// (Named re-exports: the runtime's `exports` lists only what the entry names itself.)
export { Catalog, default, InventoryService, Order, ProductStock, Reservation, WebhookEndpoint } from "../src/index";
export { MinProduct, MinReservation, MinService } from "./reference";
