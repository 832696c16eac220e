/**
 * `InventoryService`: the typed RPC entrypoint for Workers with a service binding. Each method mirrors one
 * endpoint and runs the same operation with the same validation; failures come back as values.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Outcome, SkuQuantity } from "../durable-objects/domain/contract";
import type { Env } from "./env";
import { describeError, failureOf } from "../durable-objects/shared/calls";
import { execute, type RawInput } from "./operation";
import { operations, type Operations } from "./operations";

/** Operations a bound Worker may call: everything but those that need the admin scope. */
type ServiceOperation = { [Name in keyof Operations]: Operations[Name]["scope"] extends "admin" ? never : Name }[keyof Operations];

type ValueOf<Name extends keyof Operations> =
  Awaited<ReturnType<Operations[Name]["run"]>> extends Outcome<infer T> ? T : never;

export interface CallOptions {
  /** Same meaning as the `Idempotency-Key` header. */
  idempotencyKey?: string;
}

type QueryInput = Record<string, string | number | boolean | undefined>;

function queryStrings(query: QueryInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}

export class InventoryService extends WorkerEntrypoint<Env> {
  private async call<Name extends ServiceOperation>(
    name: Name,
    raw: Partial<RawInput>,
  ): Promise<Outcome<ValueOf<Name>>> {
    try {
      return (await execute(this.env, operations[name] as never, {
        params: raw.params ?? {},
        query: raw.query ?? {},
        body: raw.body,
        idempotencyKey: raw.idempotencyKey ?? null,
      })) as Outcome<ValueOf<Name>>;
    } catch (err) {
      console.error(`error in RPC ${name}: ${describeError(err)}`);
      return failureOf(err);
    }
  }

  getProduct(sku: string, query?: { at?: string }) {
    return this.call("getProduct", { params: { sku }, query: queryStrings(query) });
  }

  receive(sku: string, body: { quantity: number; reason?: string; ref?: string }, options?: CallOptions) {
    return this.call("receive", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  adjust(
    sku: string,
    body: { delta: number; reason: string; ref?: string; expected_version?: number },
    options?: CallOptions,
  ) {
    return this.call("adjust", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  count(sku: string, body: { on_hand: number; reason?: string; ref?: string; expected_version?: number }, options?: CallOptions) {
    return this.call("count", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  counts(
    body: { lines: Array<{ sku: string; on_hand: number; expected_version?: number }>; reason?: string; ref?: string },
    options?: CallOptions,
  ) {
    return this.call("counts", { body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  listReservations(query?: { holder?: string; status?: string; sku?: string; after?: string; limit?: number }) {
    return this.call("listReservations", { query: queryStrings(query) });
  }

  listOrders(query?: { reservation_id?: string; sku?: string; open?: boolean; after?: string; limit?: number }) {
    return this.call("listOrders", { query: queryStrings(query) });
  }

  getSettings(sku: string) {
    return this.call("getSettings", { params: { sku } });
  }

  putSettings(sku: string, body: { low_stock_threshold: number | null }) {
    return this.call("putSettings", { params: { sku }, body });
  }

  listProductMoves(sku: string, query?: { after_seq?: number; limit?: number }) {
    return this.call("listProductMoves", { params: { sku }, query: queryStrings(query) });
  }

  /** PUT /v1/reservations/:id; `created` is true when it answered 201. */
  putReservation(id: string, body: { holder: string; lines: SkuQuantity[]; ttl_seconds?: number }) {
    return this.call("putReservation", { params: { id }, body });
  }

  getReservation(id: string) {
    return this.call("getReservation", { params: { id } });
  }

  deleteReservation(id: string) {
    return this.call("deleteReservation", { params: { id } });
  }

  commitReservation(id: string, body: { order_id: string }, options?: CallOptions) {
    return this.call("commitReservation", { params: { id }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  getOrder(orderId: string) {
    return this.call("getOrder", { params: { order_id: orderId } });
  }

  fulfilOrder(orderId: string, body?: { lines?: SkuQuantity[] }, options?: CallOptions) {
    return this.call("fulfilOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  cancelOrder(orderId: string, body?: { lines?: SkuQuantity[] }, options?: CallOptions) {
    return this.call("cancelOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  returnOrder(orderId: string, body: { lines: SkuQuantity[] }, options?: CallOptions) {
    return this.call("returnOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  /** `sku`: comma-separated, as in the query string. */
  listStock(query?: {
    after_sku?: string;
    limit?: number;
    in_stock?: boolean;
    low?: true;
    prefix?: string;
    sku?: string;
  }) {
    return this.call("listStock", { query: queryStrings(query) });
  }

  listMoves(query?: QueryInput) {
    return this.call("listMoves", { query: queryStrings(query) });
  }

  dailyReport(query: { sku?: string; from: string; to: string; after?: string; limit?: number }) {
    return this.call("dailyReport", { query: queryStrings(query) });
  }
}
