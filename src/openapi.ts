/**
 * /openapi.json, generated from the operations table: the zod schemas that validate each request (zod 4's
 * JSON Schema output, input side), the response schemas, and for each operation only the errors it can
 * answer. Nothing here is written by hand per route.
 */
import { z } from "zod";
import { STATUS_OF_ERROR, type ErrorCode } from "../durable-objects/domain/contract";
import type { Operation } from "./operation";
import { operations } from "./operations";
import { ErrorResponseSchema } from "./response-schemas";

type JsonSchema = Record<string, unknown>;
type AnyOperation = Operation<any, any, any, any>;

/** A schema may carry an `openapi` override (query integers): it replaces what zod derived. */
function liftOverrides(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(liftOverrides);
  if (node === null || typeof node !== "object") return node;
  const { openapi, ...rest } = node as JsonSchema;
  if (openapi && typeof openapi === "object") {
    return { ...(rest.description ? { description: rest.description } : {}), ...(openapi as JsonSchema) };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, liftOverrides(value)]));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return liftOverrides(rest) as JsonSchema;
}

/** `/v1/products/:sku` → `/v1/products/{sku}` */
export const openApiPath = (routerPath: string) => routerPath.replace(/:(\w+)/g, "{$1}");

function parameters(op: AnyOperation): JsonSchema[] {
  const from = (schema: z.ZodType, location: "path" | "query") => {
    const json = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...rest } = property;
      return {
        name,
        in: location,
        required: location === "path" || (json.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      };
    });
  };
  const list: JsonSchema[] = [...from(op.params, "path"), ...from(op.query, "query")];
  if (op.idempotent) {
    list.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "The same key and body within 24 h replays the first response; another body is a 409.",
      schema: { type: "string", minLength: 1, maxLength: 128 },
    });
  }
  return list;
}

/** What each error code means, as /openapi.json says it. */
const ERROR_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  invalid_request: "`invalid_request`: the body, path or query failed validation; `details.issues` (at most 20) says where",
  unauthorized: "`unauthorized`: no token, or an unknown one",
  forbidden: "`forbidden`: the token's scope does not allow this call",
  not_found: "`not_found`: nothing with that id (a SKU with no moves, a reservation or order never made)",
  method_not_allowed: "`method_not_allowed`: the path exists, the method does not",
  insufficient_stock: "`insufficient_stock`: `details.shortfalls` lists every short SKU with what it could have had",
  version_conflict: "`version_conflict`: `expected_version` is not the current one (`details.current_version`)",
  reservation_not_active: "`reservation_not_active`: not allowed in the reservation's status (`details.status`)",
  idempotency_conflict: "`idempotency_conflict`: the key, or the order id, was used with a different request",
  quantity_exceeds_order: "`quantity_exceeds_order`: more than the order allows (`details.lines`)",
  conflict: "`conflict`: the request contradicts what exists (a 101st webhook, a delivery already delivered)",
  payload_too_large: "`payload_too_large`: the body is over 64 KiB",
  rate_limited: "`rate_limited`: too many requests; wait `Retry-After` seconds",
  internal: "`internal`: a fixed message; nothing about the cause is returned",
  unavailable: "`unavailable`: an object or D1 was overloaded or unreachable; nothing was half-applied. Retry after `Retry-After` seconds",
};

/** Every error code an operation can answer: its own refusals plus what its shape brings. */
function errorsOf(op: AnyOperation): ErrorCode[] {
  // Every route can meet a refused token and a scope that does not reach it.
  const codes: ErrorCode[] = ["invalid_request", "unauthorized", "forbidden"];
  // Every call that may carry a body is size-checked before it is validated.
  if (op.method !== "GET") codes.push("payload_too_large");
  codes.push(...op.refusals, "rate_limited", "internal", "unavailable");
  return codes;
}

function errorResponses(op: AnyOperation): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(op)) {
    const status = STATUS_OF_ERROR[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const entries = [...byStatus].sort(([a], [b]) => a - b);
  return Object.fromEntries(
    entries.map(([status, codes]) => [
      String(status),
      {
        description: codes.map((code) => ERROR_MEANINGS[code]).join("; "),
        ...(status === 503 || status === 429
          ? { headers: { "Retry-After": { description: "seconds to wait", schema: { type: "integer" } } } }
          : {}),
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );
}

function operationObject(name: string, op: AnyOperation): JsonSchema {
  const success: Record<string, JsonSchema> = {};
  const statuses = new Set([op.successStatus(false), op.successStatus(true)]);
  for (const status of statuses) {
    success[String(status)] = {
      description: status === 201 ? "created" : "ok",
      content: { "application/json": { schema: jsonSchema(op.response, "output") } },
    };
  }
  return {
    operationId: name,
    summary: op.summary,
    description: `Needs a token with the \`${op.scope}\` scope.`,
    "x-scope": op.scope,
    parameters: parameters(op),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.optional,
            content: { "application/json": { schema: jsonSchema(op.body.schema, "input") } },
          },
        }
      : {}),
    responses: { ...success, ...errorResponses(op) },
  };
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {
    "/healthz": {
      get: {
        operationId: "healthz",
        summary: "Liveness; no token",
        security: [],
        responses: { "200": { description: "ok", content: { "application/json": { schema: { const: { ok: true } } } } } },
      },
    },
    "/favicon.ico": {
      get: {
        operationId: "favicon",
        summary: "No icon, and no 401 in a browser's log; no token",
        security: [],
        responses: { "204": { description: "no content" } },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document; no token",
        security: [],
        responses: { "200": { description: "this OpenAPI document", content: { "application/json": { schema: {} } } } },
      },
    },
  };
  for (const [name, op] of Object.entries(operations) as Array<[string, AnyOperation]>) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method.toLowerCase()]: operationObject(name, op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "stockwell",
      version: "1.2.0",
      description:
        "Event-sourced inventory: one ledger per SKU, reservations across SKUs, a D1 read model. " +
        "The reference with every decision is docs/API.md in the repository.",
      license: { name: "Proprietary" },
    },
    servers: [{ url: "http://127.0.0.1:8787", description: "`npm start` (PORT changes the port)" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A token from API_TOKENS, scope `read`, `write` or `admin` (admin ⊃ write ⊃ read)",
        },
      },
      schemas: { Error: jsonSchema(ErrorResponseSchema, "output") },
    },
    paths,
  };
}
