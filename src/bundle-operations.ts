/**
 * (v1.2) Bundles: definitions in the bundle registry, and what the edge does with them: a bundle's product
 * answer, and a cart's bundle lines expanded into components before its reservation is called.
 */
import * as bodies from "./response-schemas";
import { always, operation } from "./operation";
import { bundlesAt } from "../durable-objects/shared/calls";
import { forgetBundles } from "./bundles";
import { BundleBody, NoQuery, SkuParams } from "./schemas";

export const bundleOperations = {
  putBundle: operation({
    method: "PUT",
    path: "/v1/bundles/:sku",
    scope: "write",
    summary: "(v1.2) Define a bundle, or change its components; reservations and orders keep the ones they were made with",
    params: SkuParams,
    query: NoQuery,
    body: { schema: BundleBody },
    response: bodies.BundleSchema,
    refusals: ["conflict"],
    idempotent: false,
    successStatus: (created) => (created ? 201 : 200),
    run: async (env, { params, body }) => {
      const outcome = await bundlesAt(env).put(params.sku, body.components);
      forgetBundles();
      return outcome;
    },
  }),
  getBundle: operation({
    method: "GET",
    path: "/v1/bundles/:sku",
    scope: "read",
    summary: "(v1.2) A bundle's definition",
    params: SkuParams,
    query: NoQuery,
    response: bodies.BundleSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: (env, { params }) => bundlesAt(env).get(params.sku),
  }),
  deleteBundle: operation({
    method: "DELETE",
    path: "/v1/bundles/:sku",
    scope: "write",
    summary: "(v1.2) Delete a bundle: its SKU becomes a plain SKU with no stock",
    params: SkuParams,
    query: NoQuery,
    response: bodies.BundleSchema,
    refusals: ["not_found"],
    idempotent: false,
    successStatus: always(200),
    run: async (env, { params }) => {
      const outcome = await bundlesAt(env).delete(params.sku);
      forgetBundles();
      return outcome;
    },
  }),
};
