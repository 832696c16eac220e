/** The Worker: HTTP API, the daily retention cron, the stock-events consumer, and the classes the runtime binds. */
import { env as startupEnv } from "cloudflare:workers";
import type { Env } from "../env";
import { tokenConfigIsValid } from "../http/auth";
import { fanOut, type StockEventMessage } from "../events/fan-out";
import { handleHttp } from "../http/router";
import { deleteOldMoves, retentionDays } from "../retention";

export { BundleRegistry } from "../../durable-objects/bundles/BundleRegistry";
export { Catalog } from "../../durable-objects/catalog/Catalog";
export { LocationRegistry } from "../../durable-objects/locations/LocationRegistry";
export { Order } from "../../durable-objects/order/Order";
export { ProductStock } from "../../durable-objects/product-stock/ProductStock";
export { Reservation } from "../../durable-objects/reservation/Reservation";
export { WebhookEndpoint } from "../../durable-objects/webhook/WebhookEndpoint";
export { InventoryService } from "../rpc";

// A bad API_TOKENS is in the log as soon as the Worker starts, not only when the first request comes.
tokenConfigIsValid(startupEnv.API_TOKENS);

export default {
  fetch: (request, env) => handleHttp(request, env),

  queue: (batch, env) => fanOut(batch as MessageBatch<StockEventMessage>, env),

  async scheduled(controller, env) {
    const deleted = await deleteOldMoves(env.DB, controller.scheduledTime, retentionDays(env.MOVES_RETENTION_DAYS));
    console.log(`retention: deleted ${deleted} D1 moves older than ${retentionDays(env.MOVES_RETENTION_DAYS)} days`);
    // D1 keeps the planner's statistics in the database; refresh them where the data changed. The feed's
    // queries name their index and do not depend on them; the rest of the read side may.
    await env.DB.prepare("PRAGMA optimize").run();
  },
} satisfies ExportedHandler<Env>;
