// What every in-runtime benchmark calls: stockwell's objects, the reference implementations
// (bench/reference.ts) and their entrypoint, and the median that summarises alternating rounds.
import { env, exports } from "cloudflare:workers";
import type { MinProduct, MinReservation, MinService } from "./reference";

const bench = env as typeof env & {
  MIN_PRODUCT: DurableObjectNamespace<MinProduct>;
  MIN_RESERVATION: DurableObjectNamespace<MinReservation>;
};

export const product = (sku: string) => env.PRODUCT_STOCK.get(env.PRODUCT_STOCK.idFromName(sku));
export const reservation = (id: string) => env.RESERVATION.get(env.RESERVATION.idFromName(id));
export const minProduct = (sku: string) => bench.MIN_PRODUCT.get(bench.MIN_PRODUCT.idFromName(sku));
export const minReservation = (id: string) => bench.MIN_RESERVATION.get(bench.MIN_RESERVATION.idFromName(id));
export const minService = (exports as unknown as { MinService: Service<MinService> }).MinService;

/** The middle value of a run's rounds (rates, latencies and CPU alike). */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
