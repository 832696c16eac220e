/**
 * Every endpoint of API.md as one operation: its route, the scope it needs, how its input is validated
 * and what it does. The HTTP router and the RPC entrypoint both run operations through `execute`, so
 * validation, results and errors are the same on both.
 */
import type { z } from "zod";
import * as bodies from "./response-schemas";
import {
  fail,
  succeed,
  type ApiError,
  type ErrorCode,
  type IdempotencyToken,
  type Outcome,
} from "../durable-objects/domain/contract";
import type { Env } from "./env";
import type { Scope } from "./scopes";
import { fingerprint } from "./fingerprint";
import { rebuildReadModel, resetReadModel } from "./read-model/maintenance";
import { listMoves, listStock } from "./read-model/queries";
import { dailyReport } from "./read-model/reports";
import type { OrderAction } from "../durable-objects/domain/order-lines";
import { orderAt, productAt, reservationAt } from "../durable-objects/shared/calls";
import {
  AdjustBody,
  CommitBody,
  DailyReportQuery,
  RebuildBody,
  OrderLinesBody,
  OrderParams,
  PutReservationBody,
  ReservationParams,
  ReturnBody,
  IdempotencyKey,
  MoveListQuery,
  NoQuery,
  ProductMovesQuery,
  ProductQuery,
  ReceiveBody,
  SkuParams,
  StockListQuery,
  toIssues,
  type ValidationIssue,
} from "./schemas";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface Validated<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  idempotency: IdempotencyToken | null;
}

export interface Operation<P = unknown, Q = unknown, B = unknown, T = unknown> {
  method: HttpMethod;
  /** itty-router pattern. */
  path: string;
  scope: Scope;
  summary: string;
  params: z.ZodType<P>;
  query: z.ZodType<Q>;
  /** Absent: the operation takes no body. `optional`: it may be omitted. */
  body?: { schema: z.ZodType<B>; optional?: boolean };
  /** The success body, for /openapi.json. */
  response: z.ZodType;
  /**
   * What this operation itself may refuse with (404s and 409s), for /openapi.json. Validation, auth,
   * body size, 500 and 503 follow from the operation's shape and apply to every one that can meet them.
   */
  refusals: readonly ErrorCode[];
  /** Whether `Idempotency-Key` applies (API.md: every POST). */
  idempotent: boolean;
  /** The status of a success; `created` comes from the outcome (201 for a new resource). */
  successStatus: (created: boolean) => number;
  run(env: Env, input: Validated<P, Q, B>): Promise<Outcome<T>>;
}

function operation<P, Q, B, T, S extends Scope>(
  op: Operation<P, Q, B, T> & { scope: S },
): Operation<P, Q, B, T> & { scope: S } {
  return op;
}

export interface RawInput {
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  idempotencyKey: string | null;
}

const always = (status: number) => () => status;

/** POST /v1/orders/:order_id/{fulfil,cancel,return}: the same shape, told apart by the action. */
function orderAction(action: OrderAction, summary: string) {
  return operation({
    method: "POST",
    path: `/v1/orders/:order_id/${action}`,
    scope: "write",
    summary,
    params: OrderParams,
    query: NoQuery,
    // fulfil and cancel take every outstanding unit when lines are omitted; return names its lines.
    body: action === "return" ? { schema: ReturnBody } : { schema: OrderLinesBody, optional: true },
    response: bodies.OrderSchema,
    refusals: ["not_found", "quantity_exceeds_order", "idempotency_conflict"],
    idempotent: true,
    successStatus: always(200),
    run: (env, { params, body, idempotency }) =>
      orderAt(env, params.order_id).act(params.order_id, action, body?.lines, idempotency),
  });
}

export const operations = {
  getProduct: operation({
    method: "GET",
    path: "/v1/products/:sku",
    scope: "read",
    summary: "Stock of one SKU from its ledger, now or `at` an instant",
    params: SkuParams,
    query: ProductQuery,
    response: bodies.StockSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, query }) => productAt(env, params.sku).getStock(params.sku, query.at ?? null),
  }),
  receive: operation({
    method: "POST",
    path: "/v1/products/:sku/receive",
    scope: "write",
    summary: "Receive units into stock",
    params: SkuParams,
    query: NoQuery,
    body: { schema: ReceiveBody },
    response: bodies.MoveWithStockSchema,
    refusals: ["idempotency_conflict"],
    idempotent: true,
    successStatus: always(201),
    run: (env, { params, body, idempotency }) => productAt(env, params.sku).receive(params.sku, body, idempotency),
  }),
  adjust: operation({
    method: "POST",
    path: "/v1/products/:sku/adjust",
    scope: "write",
    summary: "Correct on-hand stock by a signed delta",
    params: SkuParams,
    query: NoQuery,
    body: { schema: AdjustBody },
    response: bodies.MoveWithStockSchema,
    refusals: ["insufficient_stock", "version_conflict", "idempotency_conflict"],
    idempotent: true,
    successStatus: always(201),
    run: (env, { params, body, idempotency }) => productAt(env, params.sku).adjust(params.sku, body, idempotency),
  }),
  listProductMoves: operation({
    method: "GET",
    path: "/v1/products/:sku/moves",
    scope: "read",
    summary: "One SKU's whole ledger, paged by seq",
    params: SkuParams,
    query: ProductMovesQuery,
    response: bodies.MovesPageSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, query }) =>
      productAt(env, params.sku).listMoves(params.sku, query.after_seq, query.limit),
  }),
  putReservation: operation({
    method: "PUT",
    path: "/v1/reservations/:id",
    scope: "write",
    summary: "Create, replace or reopen a reservation: every line held or none",
    params: ReservationParams,
    query: NoQuery,
    body: { schema: PutReservationBody },
    response: bodies.ReservationSchema,
    refusals: ["insufficient_stock", "reservation_not_active"],
    idempotent: false,
    successStatus: (created) => (created ? 201 : 200),
    run: (env, { params, body }) => reservationAt(env, params.id).put(params.id, body),
  }),
  getReservation: operation({
    method: "GET",
    path: "/v1/reservations/:id",
    scope: "read",
    summary: "A reservation",
    params: ReservationParams,
    query: NoQuery,
    response: bodies.ReservationSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => reservationAt(env, params.id).get(params.id),
  }),
  deleteReservation: operation({
    method: "DELETE",
    path: "/v1/reservations/:id",
    scope: "write",
    summary: "Release every line of a reservation",
    params: ReservationParams,
    query: NoQuery,
    response: bodies.ReservationSchema,
    refusals: ["not_found", "reservation_not_active"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => reservationAt(env, params.id).release(params.id),
  }),
  commitReservation: operation({
    method: "POST",
    path: "/v1/reservations/:id/commit",
    scope: "write",
    summary: "Checkout: commit every line into an order, all or none",
    params: ReservationParams,
    query: NoQuery,
    body: { schema: CommitBody },
    response: bodies.ReservationSchema,
    refusals: ["not_found", "reservation_not_active", "idempotency_conflict"],
    idempotent: true,
    successStatus: always(200),
    run: (env, { params, body, idempotency }) =>
      reservationAt(env, params.id).commit(params.id, body.order_id, idempotency),
  }),
  getOrder: operation({
    method: "GET",
    path: "/v1/orders/:order_id",
    scope: "read",
    summary: "An order",
    params: OrderParams,
    query: NoQuery,
    response: bodies.OrderSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => orderAt(env, params.order_id).get(params.order_id),
  }),
  fulfilOrder: orderAction("fulfil", "Ship order lines (all outstanding when lines are omitted)"),
  cancelOrder: orderAction("cancel", "Cancel order lines back to available (all outstanding when lines are omitted)"),
  returnOrder: orderAction("return", "Restock returned units, up to fulfilled − returned per line"),
  listStock: operation({
    method: "GET",
    path: "/v1/stock",
    scope: "read",
    summary: "Stock of every SKU from the read model, by sku",
    params: NoQuery,
    query: StockListQuery,
    response: bodies.StockPageSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query }) => succeed(await listStock(env.DB, query)),
  }),
  listMoves: operation({
    method: "GET",
    path: "/v1/moves",
    scope: "read",
    summary: "Moves of every SKU from the read model, in projection order (a change feed)",
    params: NoQuery,
    query: MoveListQuery,
    response: bodies.FeedPageSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query }) => succeed(await listMoves(env.DB, query)),
  }),
  dailyReport: operation({
    method: "GET",
    path: "/v1/reports/daily",
    scope: "read",
    summary: "Sums per UTC day and SKU from the daily rollups (at most 366 days), a page at a time",
    params: NoQuery,
    query: DailyReportQuery,
    response: bodies.DailyReportSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query }) => succeed(await dailyReport(env.DB, query)),
  }),
  resetReadModel: operation({
    method: "POST",
    path: "/v1/admin/read-model/reset",
    scope: "admin",
    summary: "Operators: empty the D1 read model in bounded batches (call until done); ledgers are untouched",
    params: NoQuery,
    query: NoQuery,
    response: bodies.ResetProgressSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env) => succeed(await resetReadModel(env.DB)),
  }),
  rebuildReadModel: operation({
    method: "POST",
    path: "/v1/admin/read-model/rebuild",
    scope: "admin",
    summary: "Operators: send a page of SKUs' whole ledgers to D1 again (call with next_after_sku until null)",
    params: NoQuery,
    query: NoQuery,
    body: { schema: RebuildBody, optional: true },
    response: bodies.RebuildProgressSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { body }) =>
      succeed(await rebuildReadModel(env, body?.after_sku ?? "", body?.limit ?? 50)),
  }),
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;

/** A 400 lists at most this many issues (API.md v1.1), so a request can never make a large error. */
export const MAX_ISSUES = 20;

function invalid(all: ValidationIssue[]): { ok: false; error: ApiError } {
  const issues = all.slice(0, MAX_ISSUES);
  const more = all.length > issues.length ? `; and ${all.length - issues.length} more` : "";
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ") + more;
  return fail("invalid_request", message, { issues });
}

/** Validates raw input against the operation and runs it. Never throws for bad input. */
export async function execute<P, Q, B, T>(
  env: Env,
  op: Operation<P, Q, B, T>,
  raw: RawInput,
): Promise<Outcome<T>> {
  const input = await validate(op, raw);
  return input.ok ? op.run(env, input.value) : input;
}

/** The operation's input, checked against its schemas, or the 400 that says what is wrong. */
export async function validate<P, Q, B, T>(
  op: Operation<P, Q, B, T>,
  raw: RawInput,
): Promise<Outcome<Validated<P, Q, B>>> {
  const issues: ValidationIssue[] = [];
  const params = op.params.safeParse(raw.params);
  if (!params.success) issues.push(...toIssues(params.error));
  const query = op.query.safeParse(raw.query);
  if (!query.success) issues.push(...toIssues(query.error));

  let body: B = undefined as B;
  if (op.body) {
    if (raw.body === undefined && !op.body.optional) {
      issues.push({ path: "", message: "a JSON body is required" });
    } else if (raw.body !== undefined) {
      const parsed = op.body.schema.safeParse(raw.body);
      if (parsed.success) body = parsed.data;
      else issues.push(...toIssues(parsed.error));
    }
  } else if (raw.body !== undefined) {
    issues.push({ path: "", message: "this call takes no body" });
  }

  const key = op.idempotent && raw.idempotencyKey !== null ? IdempotencyKey.safeParse(raw.idempotencyKey) : null;
  if (key && !key.success) issues.push(...toIssues(key.error, ["Idempotency-Key"]));

  if (issues.length > 0 || !params.success || !query.success) return invalid(issues);
  // Only validated data is fingerprinted: it is small and shallow, whatever the raw body was.
  const idempotency = key?.success ? { key: key.data, fingerprint: await fingerprint(body ?? null) } : null;
  return succeed({ params: params.data, query: query.data, body, idempotency });
}
