/**
 * Every endpoint of API.md as one operation: its route, the scope it needs, how its input is validated
 * and what it does. The HTTP router and the RPC entrypoint both run them through `validate` and `execute`
 * (operation.ts), so validation, results and errors are the same on both.
 */
import { adminOperations } from "./admin-operations";
import { bundleOperations } from "./bundle-operations";
import { incomingOperations } from "./incoming-operations";
import { orderOperations } from "./order-operations";
import { productOperations } from "./product-operations";
import { readOperations } from "./read-operations";

export const operations = {
  ...productOperations,
  ...incomingOperations,
  ...bundleOperations,
  ...orderOperations,
  ...readOperations,
  ...adminOperations,
};

export type Operations = typeof operations;
