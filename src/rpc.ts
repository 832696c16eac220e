/**
 * `InventoryService`: the typed RPC entrypoint for Workers with a service binding. Each method mirrors one
 * endpoint and runs the same operation with the same validation; failures come back as values.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { fail, type Outcome, type RequestedLine } from "../durable-objects/domain/contract";
import type { Env } from "./env";
import { describeError, failureOf } from "../durable-objects/shared/calls";
import { execute, type Caller, type RawInput } from "./operation";
import { ACTOR_PATTERN, RESERVED_ACTORS, RPC_ACTOR } from "../durable-objects/domain/actors";
import { operations, type Operations } from "./operations";
import { allows, type Scope } from "./scopes";

/** The scope a bound Worker has (API.md): write, never admin. */
const SERVICE_SCOPE: Scope = "write";

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

/**
 * Runs one operation for a bound Worker. A module function, not a method: over a service binding every
 * method of the class is callable, whatever TypeScript says, so the class holds only the documented ones.
 * The scope is checked here at run time too, so no admin operation can run for a bound Worker.
 */
async function serviceCall<Name extends ServiceOperation>(
  env: Env,
  ctx: ExecutionContext,
  name: Name,
  raw: Partial<RawInput>,
): Promise<Outcome<ValueOf<Name>>> {
  const op = operations[name];
  if (!allows(SERVICE_SCOPE, op.scope)) return fail("forbidden", `${name} is not offered to bound Workers`);
  const caller = callerOf(ctx.props);
  if (!caller) {
    return fail("invalid_request", "the binding's props.actor must be 1–64 of A–Z a–z 0–9 . _ : - and not rpc or system", {
      issues: [{ path: "props.actor", message: "is not a name this service records" }],
    });
  }
  try {
    return (await execute(env, op as never, {
      params: raw.params ?? {},
      query: raw.query ?? {},
      body: raw.body,
      idempotencyKey: raw.idempotencyKey ?? null,
    }, caller)) as Outcome<ValueOf<Name>>;
  } catch (err) {
    console.error(`error in RPC ${name}: ${describeError(err)}`);
    return failureOf(err);
  }
}

/**
 * (v1.2) A bound Worker's moves are recorded as made by `rpc`, or by the name its binding passes as
 * `props = { actor = "checkout" }` (wrangler.toml); null for a name the service would not record.
 */
export function callerOf(props: unknown): Caller | null {
  const actor = (props as { actor?: unknown } | undefined)?.actor;
  if (actor === undefined) return { actor: RPC_ACTOR, scope: SERVICE_SCOPE, skuPrefix: null };
  if (typeof actor !== "string" || !ACTOR_PATTERN.test(actor) || RESERVED_ACTORS.includes(actor)) return null;
  return { actor, scope: SERVICE_SCOPE, skuPrefix: null };
}

export class InventoryService extends WorkerEntrypoint<Env> {
  getProduct(sku: string, query?: { at?: string }) {
    return serviceCall(this.env, this.ctx, "getProduct", { params: { sku }, query: queryStrings(query) });
  }

  receive(
    sku: string,
    body: { quantity: number; reason?: string; ref?: string; location?: string; incoming_id?: string },
    options?: CallOptions,
  ) {
    return serviceCall(this.env, this.ctx, "receive", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  adjust(
    sku: string,
    body: { delta: number; reason: string; ref?: string; expected_version?: number; location?: string; allow_short?: boolean },
    options?: CallOptions,
  ) {
    return serviceCall(this.env, this.ctx, "adjust", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  /** (v1.2) POST /v1/products/:sku/transfer */
  transfer(
    sku: string,
    body: { from: string; to: string; quantity: number; reason?: string; ref?: string; expected_version?: number },
    options?: CallOptions,
  ) {
    return serviceCall(this.env, this.ctx, "transfer", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  count(
    sku: string,
    body: { on_hand: number; reason?: string; ref?: string; expected_version?: number; location?: string },
    options?: CallOptions,
  ) {
    return serviceCall(this.env, this.ctx, "count", { params: { sku }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  counts(
    body: {
      lines: Array<{ sku: string; on_hand: number; expected_version?: number; location?: string }>;
      reason?: string;
      ref?: string;
    },
    options?: CallOptions,
  ) {
    return serviceCall(this.env, this.ctx, "counts", { body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  listReservations(query?: { holder?: string; status?: string; sku?: string; after?: string; limit?: number }) {
    return serviceCall(this.env, this.ctx, "listReservations", { query: queryStrings(query) });
  }

  listOrders(query?: { reservation_id?: string; sku?: string; open?: boolean; after?: string; limit?: number }) {
    return serviceCall(this.env, this.ctx, "listOrders", { query: queryStrings(query) });
  }

  getSettings(sku: string) {
    return serviceCall(this.env, this.ctx, "getSettings", { params: { sku } });
  }

  /** A setting left out keeps its value ((v1.2) `backorder_limit`, `preorder`). */
  putSettings(sku: string, body: { low_stock_threshold?: number | null; backorder_limit?: number; preorder?: boolean }) {
    return serviceCall(this.env, this.ctx, "putSettings", { params: { sku }, body });
  }

  /** (v1.2) PUT /v1/bundles/:sku; `created` is true when it answered 201. */
  putBundle(sku: string, body: { components: Array<{ sku: string; quantity: number }> }) {
    return serviceCall(this.env, this.ctx, "putBundle", { params: { sku }, body });
  }

  getBundle(sku: string) {
    return serviceCall(this.env, this.ctx, "getBundle", { params: { sku } });
  }

  /** (v1.2) DELETE /v1/bundles/:sku */
  deleteBundle(sku: string) {
    return serviceCall(this.env, this.ctx, "deleteBundle", { params: { sku } });
  }

  /** (v1.2) PUT /v1/products/:sku/incoming/:id; `created` is true when it answered 201. */
  putIncoming(sku: string, id: string, body: { quantity: number; expected_at: string; location?: string }) {
    return serviceCall(this.env, this.ctx, "putIncoming", { params: { sku, id }, body });
  }

  getIncoming(sku: string, id: string) {
    return serviceCall(this.env, this.ctx, "getIncoming", { params: { sku, id } });
  }

  listIncoming(sku: string, query?: { status?: "open" | "received" | "cancelled" }) {
    return serviceCall(this.env, this.ctx, "listIncoming", { params: { sku }, query: queryStrings(query) });
  }

  /** (v1.2) DELETE /v1/products/:sku/incoming/:id */
  cancelIncoming(sku: string, id: string) {
    return serviceCall(this.env, this.ctx, "cancelIncoming", { params: { sku, id } });
  }

  listProductMoves(sku: string, query?: { after_seq?: number; limit?: number }) {
    return serviceCall(this.env, this.ctx, "listProductMoves", { params: { sku }, query: queryStrings(query) });
  }

  /** PUT /v1/reservations/:id; `created` is true when it answered 201. */
  putReservation(id: string, body: { holder: string; lines: RequestedLine[]; ttl_seconds?: number }) {
    return serviceCall(this.env, this.ctx, "putReservation", { params: { id }, body });
  }

  getReservation(id: string) {
    return serviceCall(this.env, this.ctx, "getReservation", { params: { id } });
  }

  deleteReservation(id: string) {
    return serviceCall(this.env, this.ctx, "deleteReservation", { params: { id } });
  }

  commitReservation(id: string, body: { order_id: string }, options?: CallOptions) {
    return serviceCall(this.env, this.ctx, "commitReservation", { params: { id }, body, idempotencyKey: options?.idempotencyKey ?? null });
  }

  getOrder(orderId: string) {
    return serviceCall(this.env, this.ctx, "getOrder", { params: { order_id: orderId } });
  }

  fulfilOrder(orderId: string, body?: { lines?: RequestedLine[] }, options?: CallOptions) {
    return serviceCall(this.env, this.ctx, "fulfilOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  cancelOrder(orderId: string, body?: { lines?: RequestedLine[] }, options?: CallOptions) {
    return serviceCall(this.env, this.ctx, "cancelOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  returnOrder(orderId: string, body: { lines: RequestedLine[] }, options?: CallOptions) {
    return serviceCall(this.env, this.ctx, "returnOrder", {
      params: { order_id: orderId },
      body,
      idempotencyKey: options?.idempotencyKey ?? null,
    });
  }

  /** `sku`: comma-separated, as in the query string. */
  /** (v1.2) The location registry, read only: its writes need the admin scope. */
  listLocations() {
    return serviceCall(this.env, this.ctx, "listLocations", {});
  }

  getLocation(location: string) {
    return serviceCall(this.env, this.ctx, "getLocation", { params: { location } });
  }

  listStock(query?: {
    after_sku?: string;
    limit?: number;
    in_stock?: boolean;
    low?: true;
    short?: true;
    prefix?: string;
    sku?: string;
    location?: string;
  }) {
    return serviceCall(this.env, this.ctx, "listStock", { query: queryStrings(query) });
  }

  listMoves(query?: QueryInput) {
    return serviceCall(this.env, this.ctx, "listMoves", { query: queryStrings(query) });
  }

  dailyReport(query: { sku?: string; from: string; to: string; after?: string; limit?: number }) {
    return serviceCall(this.env, this.ctx, "dailyReport", { query: queryStrings(query) });
  }
}
