/**
 * Three layers, one direction: the edge (src/) → the objects (durable-objects/) → the domain
 * (durable-objects/domain/), never back. `npm test` runs this first (`npm run deps`).
 */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "The domain (deciders, plans, contract types) imports nothing of ours outside it, and no platform API.",
      severity: "error",
      from: { path: "^durable-objects/domain/" },
      to: { pathNot: "^durable-objects/domain/" },
    },
    {
      name: "objects-never-reach-the-edge",
      comment: "Durable Objects and their stores do not import the Worker's HTTP, RPC or read side.",
      severity: "error",
      from: { path: "^durable-objects/" },
      to: { path: "^src/" },
    },
    {
      name: "one-module-names-the-object-classes",
      comment:
        "Only durable-objects/bindings.ts names the object classes (as types), and src/worker/index.ts exports them to the runtime.",
      severity: "error",
      from: { path: "^(src|durable-objects)/", pathNot: "^(durable-objects/bindings\\.ts|src/worker/index\\.ts)$" },
      to: { path: "^durable-objects/(bundles/BundleRegistry|catalog/Catalog|locations/LocationRegistry|order/Order|product-stock/ProductStock|reservation/Reservation|webhook/WebhookEndpoint)\\.ts$" },
    },
    {
      name: "bindings-name-classes-only-as-types",
      severity: "error",
      from: { path: "^durable-objects/bindings\\.ts$" },
      to: { dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-cycles",
      comment: "No module reaches itself at run time (type-only references between a class and its bindings are fine).",
      severity: "error",
      from: { path: "^(src|durable-objects)/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(test|examples|bench)/" },
  },
};
