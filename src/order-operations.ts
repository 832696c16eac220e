/**
 * Reservations (carts, accepted offers) and the orders they are committed into.
 */
import * as bodies from "./response-schemas";
import { always, operation } from "./operation";
import { atKnownLocations, lineLocations } from "./locations";
import { putReservation } from "./bundle-lines";
import type { OrderAction } from "../durable-objects/domain/order-lines";
import { orderAt, reservationAt } from "../durable-objects/shared/calls";
import { CommitBody, OrderLinesBody, OrderParams, PutReservationBody, ReservationParams, ReturnBody, NoQuery } from "./schemas";

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
    refusals: [
      "not_found",
      "quantity_exceeds_order",
      "idempotency_conflict",
      // (v1.2) A fulfil ships from a shelf, which a count may have found short.
      ...(action === "fulfil" ? (["insufficient_stock"] as const) : []),
    ],
    idempotent: true,
    successStatus: always(200),
    run: (env, { params, body, idempotency, caller }) =>
      atKnownLocations(env, lineLocations(body?.lines), () =>
        orderAt(env, params.order_id).act(params.order_id, action, body?.lines, idempotency, caller.actor),
      ),
  });
}

export const orderOperations = {
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
    run: (env, { params, body, caller }) =>
      atKnownLocations(env, lineLocations(body.lines), () => putReservation(env, params.id, body, caller.actor)),
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
    run: (env, { params, caller }) => reservationAt(env, params.id).release(params.id, caller.actor),
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
    run: (env, { params, body, idempotency, caller }) =>
      reservationAt(env, params.id).commit(params.id, body.order_id, idempotency, caller.actor),
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
};
