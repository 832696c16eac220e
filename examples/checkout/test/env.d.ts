// The checkout Worker's own binding, seen by its tests.
declare namespace Cloudflare {
  interface Env {
    INVENTORY: Service<import("../../../src/rpc").InventoryService>;
  }
}
