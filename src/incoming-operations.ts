/**
 * (v1.2) Incoming units: a purchase order's units on their way, kept by the SKU's own object so that a
 * preorder hold and a receipt see them in the same transaction as the stock.
 */
import * as bodies from "./response-schemas";
import { always, namedSku, operation } from "./operation";
import { productAt } from "../durable-objects/shared/calls";
import { atKnownLocations, bodyLocation } from "./locations";
import { IncomingBody, IncomingListQuery, IncomingParams, NoQuery, SkuParams } from "./schemas";

export const incomingOperations = {
  putIncoming: operation({
    method: "PUT",
    path: "/v1/products/:sku/incoming/:id",
    scope: "write",
    summary: "(v1.2) Declare units on their way, or change an open incoming's quantity, date or location",
    params: IncomingParams,
    query: NoQuery,
    body: { schema: IncomingBody },
    response: bodies.IncomingSchema,
    refusals: ["conflict"],
    seller: namedSku,
    idempotent: false,
    successStatus: (created) => (created ? 201 : 200),
    run: (env, { params, body, caller }) =>
      atKnownLocations(env, bodyLocation(body.location), () =>
        productAt(env, params.sku).putIncoming(params.sku, params.id, {
          quantity: body.quantity,
          expected_at_ms: body.expected_at,
          location: body.location,
        }, caller.actor),
      ),
  }),
  getIncoming: operation({
    method: "GET",
    path: "/v1/products/:sku/incoming/:id",
    scope: "read",
    summary: "(v1.2) One incoming",
    params: IncomingParams,
    query: NoQuery,
    response: bodies.IncomingSchema,
    refusals: ["not_found"],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => productAt(env, params.sku).getIncoming(params.sku, params.id),
  }),
  listIncoming: operation({
    method: "GET",
    path: "/v1/products/:sku/incoming",
    scope: "read",
    summary: "(v1.2) A SKU's incoming, by expected date then id",
    params: SkuParams,
    query: IncomingListQuery,
    response: bodies.IncomingListSchema,
    refusals: [],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, query }) => productAt(env, params.sku).listIncoming(params.sku, query.status ?? null),
  }),
  cancelIncoming: operation({
    method: "DELETE",
    path: "/v1/products/:sku/incoming/:id",
    scope: "write",
    summary: "(v1.2) Cancel what an incoming has not yet received (one expected_cancelled move)",
    params: IncomingParams,
    query: NoQuery,
    response: bodies.IncomingSchema,
    refusals: ["not_found", "conflict"],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, caller }) => productAt(env, params.sku).cancelIncoming(params.sku, params.id, caller.actor),
  }),
};
