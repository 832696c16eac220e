/**
 * /openapi.json, generated from the operations table: the zod schemas that validate each request (zod 4's
 * JSON Schema output, input side) and the response schemas. Nothing here is written by hand per route.
 */
import { z } from "zod";
import { operations, type Operation } from "./operations";
import { ErrorResponseSchema, StockSchema } from "./response-schemas";

type JsonSchema = Record<string, unknown>;

const inputSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
};
const outputSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
  return rest;
};

/** `/v1/products/:sku` → `/v1/products/{sku}` */
export const openApiPath = (routerPath: string) => routerPath.replace(/:(\w+)/g, "{$1}");

function parameters(op: Operation<any, any, any, any>): JsonSchema[] {
  const from = (schema: z.ZodType, location: "path" | "query") => {
    const json = inputSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: location,
      required: location === "path" || (json.required ?? []).includes(name),
      schema: property,
    }));
  };
  const list: JsonSchema[] = [...from(op.params, "path"), ...from(op.query, "query")];
  if (op.idempotent) {
    list.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Same key and body within 24 h replays the first response; another body is a 409.",
      schema: { type: "string", minLength: 1, maxLength: 128 },
    });
  }
  return list;
}

const ERROR_RESPONSES: Record<string, string> = {
  "400": "invalid_request: details.issues lists each problem",
  "401": "unauthorized",
  "403": "forbidden: a read token on a write call",
  "404": "not_found",
  "405": "method_not_allowed",
  "409": "insufficient_stock, version_conflict, reservation_not_active, idempotency_conflict or quantity_exceeds_order",
  "413": "payload_too_large: body over 64 KiB",
  "500": "internal",
};

function operationObject(name: string, op: Operation<any, any, any, any>): JsonSchema {
  const success: Record<string, JsonSchema> = {};
  const statuses = new Set([op.successStatus(false), op.successStatus(true)]);
  for (const status of statuses) {
    success[String(status)] = {
      description: status === 201 ? "created" : "ok",
      content: { "application/json": { schema: outputSchema(op.response) } },
    };
  }
  const errors = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      status,
      { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  );
  return {
    operationId: name,
    summary: op.summary,
    "x-scope": op.scope,
    parameters: parameters(op),
    ...(op.body
      ? {
          requestBody: {
            required: !op.body.optional,
            content: { "application/json": { schema: inputSchema(op.body.schema) } },
          },
        }
      : {}),
    responses: { ...success, ...errors },
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
    "/openapi.json": {
      get: { operationId: "openapi", summary: "This document; no token", security: [], responses: { "200": { description: "ok" } } },
    },
  };
  for (const [name, op] of Object.entries(operations) as Array<[string, Operation<any, any, any, any>]>) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method.toLowerCase()]: operationObject(name, op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "stockwell",
      version: "1.0.0",
      description: "Event-sourced inventory: one ledger per SKU, reservations across SKUs, a D1 read model.",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API_TOKENS: scope `read` or `write`" },
      },
      schemas: { Error: outputSchema(ErrorResponseSchema), Stock: outputSchema(StockSchema) },
    },
    paths,
  };
}
