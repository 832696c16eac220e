/**
 * Every response the integration tests get through `api()` is checked against /openapi.json, with a
 * maintained JSON Schema validator (@cfworker/json-schema, which runs in workerd without code generation):
 * a status the route does not declare, or a body that does not match the schema declared for its status,
 * fails the test that received it. 4xx and 5xx answers are checked like successes.
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import { openApiDocument } from "../../src/openapi";

type Json = Record<string, any>;

interface Route {
  method: string;
  pattern: RegExp;
  responses: Record<string, Json>;
}

let routes: Route[] | null = null;
const validators = new Map<Json, Validator>();

/** The document's `$ref`s to its components, replaced by what they name. */
function inlineRefs(node: unknown, components: Json): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineRefs(n, components));
  if (node === null || typeof node !== "object") return node;
  const ref = (node as Json).$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    return inlineRefs(components[ref.slice("#/components/schemas/".length)], components);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineRefs(v, components)]));
}

function loadRoutes(): Route[] {
  const doc = openApiDocument() as Json;
  const list: Route[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Json)) {
    const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`);
    for (const [method, operation] of Object.entries(methods as Json)) {
      list.push({ method: method.toUpperCase(), pattern, responses: inlineRefs(operation.responses, doc.components.schemas) as Json });
    }
  }
  return list;
}

/** Throws when a response breaks the contract /openapi.json declares for its route. */
export function checkAgainstOpenApi(method: string, url: string, status: number, body: unknown): void {
  routes ??= loadRoutes();
  const path = new URL(url).pathname;
  // Paths and methods the document does not have (404, 405, the console) have nothing declared to check.
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) return;
  const declared = route.responses[String(status)];
  if (!declared) throw new Error(`${method} ${path} answered ${status}, which /openapi.json does not declare for it`);
  const schema = declared.content?.["application/json"]?.schema as Json | undefined;
  if (!schema) return;
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = new Validator(schema as Schema, "2020-12", false)));
  const result = validator.validate(body);
  if (!result.valid) {
    const errors = result.errors.slice(0, 5).map((e) => `${e.instanceLocation}: ${e.error}`).join("; ");
    throw new Error(`${method} ${path} answered ${status} with a body /openapi.json does not allow: ${errors}`);
  }
}
