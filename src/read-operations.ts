/**
 * The read model's lists and reports (D1, eventually consistent), and who the caller is.
 */
import * as bodies from "./response-schemas";
import { readModelOf } from "./read-model/session";
import { succeed } from "../durable-objects/domain/contract";
import { always, operation } from "./operation";
import { clock } from "../durable-objects/shared/clock";
import { listOrders, listReservations } from "./read-model/listings";
import { listMoves } from "./read-model/feed";
import { listStock } from "./read-model/queries";
import { dailyReport } from "./read-model/reports";
import { NoQuery } from "./schemas";
import { DailyReportQuery, MoveListQuery, OrderListQuery, ReservationListQuery, StockListQuery } from "./read-queries";

export const readOperations = {
  getToken: operation({
    method: "GET",
    path: "/v1/token",
    scope: "read",
    summary: "(v1.2) The calling token's name (the actor of its moves), scope and SKU prefix; never the token",
    params: NoQuery,
    query: NoQuery,
    response: bodies.TokenSchema,
    refusals: [],
    // It names no SKU: a seller may ask who it is.
    seller: () => [],
    idempotent: false,
    successStatus: always(200),
    run: async (_env, { caller }) => succeed({ name: caller.actor, scope: caller.scope, sku_prefix: caller.skuPrefix }),
  }),
  listReservations: operation({
    method: "GET",
    path: "/v1/reservations",
    scope: "read",
    summary: "Reservations from the read model, newest first, by holder, status or SKU",
    params: NoQuery,
    query: ReservationListQuery,
    response: bodies.ReservationPageSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query }) => succeed(await listReservations(readModelOf(env.DB), query, clock.now())),
  }),
  listOrders: operation({
    method: "GET",
    path: "/v1/orders",
    scope: "read",
    summary: "Orders from the read model, newest first, by reservation, SKU or whether units are outstanding",
    params: NoQuery,
    query: OrderListQuery,
    response: bodies.OrderPageSchema,
    refusals: [],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query }) => succeed(await listOrders(readModelOf(env.DB), query)),
  }),
  listStock: operation({
    method: "GET",
    path: "/v1/stock",
    scope: "read",
    summary: "Stock of every SKU from the read model, by sku",
    params: NoQuery,
    query: StockListQuery,
    response: bodies.StockPageSchema,
    refusals: [],
    seller: ({ query }) => [...(query.prefix === undefined ? [] : [query.prefix]), ...(query.sku ?? [])],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query, caller }) => succeed(await listStock(readModelOf(env.DB), { ...query, prefix: query.prefix ?? caller.skuPrefix ?? undefined })),
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
    seller: ({ query }) => (query.sku === undefined ? [] : [query.sku]),
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query, caller }) => succeed(await listMoves(readModelOf(env.DB), { ...query, prefix: caller.skuPrefix ?? undefined })),
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
    seller: ({ query }) => (query.sku === undefined ? [] : [query.sku]),
    idempotent: false,
    successStatus: always(200),
    run: async (env, { query, caller }) => succeed(await dailyReport(readModelOf(env.DB), { ...query, prefix: caller.skuPrefix ?? undefined })),
  }),
};
