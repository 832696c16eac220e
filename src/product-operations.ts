/**
 * The product routes (`/v1/products/:sku…`, and bulk counts): one SKU's own object answers each.
 */
import * as bodies from "./response-schemas";
import { succeed } from "../durable-objects/domain/contract";
import { always, namedSku, operation } from "./operation";
import { countAll } from "./stocktakes";
import { atKnownLocations, bodyLocation, lineLocations } from "./locations";
import { productOrBundle } from "./bundle-lines";
import { productAt } from "../durable-objects/shared/calls";
import { AdjustBody, CountBody, CountsBody, NoQuery, ProductMovesQuery, ProductQuery, ReceiveBody, TransferBody, SettingsBody, SkuParams } from "./schemas";

export const productOperations = {
  getProduct: operation({
    method: "GET",
    path: "/v1/products/:sku",
    scope: "read",
    summary: "Stock of one SKU from its ledger, now or `at` an instant; (v1.2) of a bundle, what its components make",
    params: SkuParams,
    query: ProductQuery,
    response: bodies.ProductSchema,
    refusals: ["not_found"],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, query }) => productOrBundle(env, params.sku, query.at ?? null),
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
    refusals: ["idempotency_conflict", "not_found", "conflict"],
    seller: namedSku,
    idempotent: true,
    successStatus: always(201),
    run: (env, { params, body, idempotency, caller }) =>
      atKnownLocations(env, bodyLocation(body.location), () =>
        productAt(env, params.sku).receive(params.sku, body, idempotency, caller.actor),
      ),
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
    seller: namedSku,
    idempotent: true,
    successStatus: always(201),
    run: (env, { params, body, idempotency, caller }) =>
      atKnownLocations(env, bodyLocation(body.location), () =>
        productAt(env, params.sku).adjust(params.sku, body, idempotency, caller.actor),
      ),
  }),
  transfer: operation({
    method: "POST",
    path: "/v1/products/:sku/transfer",
    scope: "write",
    summary: "(v1.2) Move units from one location to another: one transferred move, totals unchanged",
    params: SkuParams,
    query: NoQuery,
    body: { schema: TransferBody },
    response: bodies.MoveWithStockSchema,
    refusals: ["insufficient_stock", "version_conflict", "idempotency_conflict"],
    seller: namedSku,
    idempotent: true,
    successStatus: always(201),
    run: (env, { params, body, idempotency, caller }) =>
      atKnownLocations(env, [...bodyLocation(body.from, "from"), ...bodyLocation(body.to, "to")], () =>
        productAt(env, params.sku).transfer(params.sku, body, idempotency, caller.actor),
      ),
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
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, query }) =>
      productAt(env, params.sku).listMoves(params.sku, query.after_seq, query.limit),
  }),
  count: operation({
    method: "POST",
    path: "/v1/products/:sku/count",
    scope: "write",
    summary: "Stocktake: set on_hand to what was counted, by one adjusted move of the difference",
    params: SkuParams,
    query: NoQuery,
    body: { schema: CountBody },
    response: bodies.CountResultSchema,
    refusals: ["insufficient_stock", "version_conflict", "idempotency_conflict"],
    seller: namedSku,
    idempotent: true,
    successStatus: (created) => (created ? 201 : 200),
    run: (env, { params, body, idempotency, caller }) =>
      atKnownLocations(env, bodyLocation(body.location), () =>
        productAt(env, params.sku).count(params.sku, body, idempotency, caller.actor),
      ),
  }),
  counts: operation({
    method: "POST",
    path: "/v1/counts",
    scope: "write",
    summary: "Bulk stocktake: up to 1,000 counts, each line applied or refused on its own",
    params: NoQuery,
    query: NoQuery,
    body: { schema: CountsBody },
    response: bodies.CountsResultSchema,
    refusals: [],
    // One line outside a seller's prefix refuses the whole call.
    seller: ({ body }) => body.lines.map((l) => l.sku),
    idempotent: true,
    successStatus: always(200),
    run: (env, { body, idempotency, caller }) =>
      atKnownLocations(env, lineLocations(body.lines), async () => succeed(await countAll(env, body, idempotency, caller.actor))),
  }),
  getSettings: operation({
    method: "GET",
    path: "/v1/products/:sku/settings",
    scope: "read",
    summary: "A SKU's settings: its low-stock threshold (nulls if never configured)",
    params: SkuParams,
    query: NoQuery,
    response: bodies.SettingsSchema,
    refusals: [],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => productAt(env, params.sku).getSettings(params.sku),
  }),
  putSettings: operation({
    method: "PUT",
    path: "/v1/products/:sku/settings",
    scope: "write",
    summary: "Set a SKU's low-stock threshold and (v1.2) backorder policy (works before its first move)",
    params: SkuParams,
    query: NoQuery,
    body: { schema: SettingsBody },
    response: bodies.SettingsSchema,
    refusals: [],
    seller: namedSku,
    idempotent: false,
    successStatus: always(200),
    run: (env, { params, body }) => productAt(env, params.sku).putSettings(params.sku, body),
  }),
};
