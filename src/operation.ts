/**
 * What an operation is (route, scope, schemas, refusals, handler) and how raw input becomes its validated
 * input or a 400: shared by the HTTP router, the RPC entrypoint and /openapi.json.
 */
import type { z } from "zod";
import {
  fail,
  succeed,
  type ApiError,
  type ErrorCode,
  type IdempotencyToken,
  type Outcome,
} from "../durable-objects/domain/contract";
import type { Env } from "./env";
import { fingerprint } from "./fingerprint";
import { IdempotencyKey, toIssues, type ValidationIssue } from "./schemas";
import type { Scope } from "./scopes";
import type { Actor } from "../durable-objects/domain/actors";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** (v1.2) Who is calling: recorded on every move the call makes, and what a seller's token limits it to. */
export interface Caller {
  actor: Actor;
  scope: Scope;
  /** A seller's token: lists and reports keep to SKUs starting with this. */
  skuPrefix: string | null;
}

export interface Validated<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  idempotency: IdempotencyToken | null;
  caller: Caller;
}

export interface Operation<P = unknown, Q = unknown, B = unknown, T = unknown> {
  method: HttpMethod;
  /** itty-router pattern. */
  path: string;
  scope: Scope;
  summary: string;
  params: z.ZodType<P>;
  query: z.ZodType<Q>;
  /** Absent: the operation takes no body. `optional`: it may be omitted. */
  body?: { schema: z.ZodType<B>; optional?: boolean };
  /** The success body, for /openapi.json. */
  response: z.ZodType;
  /**
   * What this operation itself may refuse with (404s and 409s), for /openapi.json. Validation, auth,
   * body size, 500 and 503 follow from the operation's shape and apply to every one that can meet them.
   */
  refusals: readonly ErrorCode[];
  /**
   * (v1.2) Present on the routes a seller's token may call: the SKUs and SKU prefixes the request names,
   * each of which must start with the seller's prefix.
   */
  seller?: (input: Validated<P, Q, B>) => readonly string[];
  /** Whether `Idempotency-Key` applies (API.md: every POST). */
  idempotent: boolean;
  /** The status of a success; `created` comes from the outcome (201 for a new resource). */
  successStatus: (created: boolean) => number;
  run(env: Env, input: Validated<P, Q, B>): Promise<Outcome<T>>;
}

/** `successStatus` of an operation that answers one status whatever the outcome says. */
export const always = (status: number) => () => status;

/** `seller` of a product route (`/v1/products/:sku…`): the SKU it names. */
export const namedSku = ({ params }: { params: { sku: string } }): readonly string[] => [params.sku];

export function operation<P, Q, B, T, S extends Scope>(
  op: Operation<P, Q, B, T> & { scope: S },
): Operation<P, Q, B, T> & { scope: S } {
  return op;
}

export interface RawInput {
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  idempotencyKey: string | null;
}

/** A 400 lists at most this many issues (API.md v1.1), so a request can never make a large error. */
const MAX_ISSUES = 20;

function invalid(all: ValidationIssue[]): { ok: false; error: ApiError } {
  const issues = all.slice(0, MAX_ISSUES);
  const more = all.length > issues.length ? `; and ${all.length - issues.length} more` : "";
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ") + more;
  return fail("invalid_request", message, { issues });
}

/** Validates raw input against the operation and runs it. Never throws for bad input. */
export async function execute<P, Q, B, T>(
  env: Env,
  op: Operation<P, Q, B, T>,
  raw: RawInput,
  caller: Caller,
): Promise<Outcome<T>> {
  const input = await validate(op, raw, caller);
  return input.ok ? op.run(env, input.value) : input;
}

/** The operation's input, checked against its schemas, or the 400 that says what is wrong. */
export async function validate<P, Q, B, T>(
  op: Operation<P, Q, B, T>,
  raw: RawInput,
  caller: Caller,
): Promise<Outcome<Validated<P, Q, B>>> {
  const issues: ValidationIssue[] = [];
  const params = op.params.safeParse(raw.params);
  if (!params.success) issues.push(...toIssues(params.error));
  const query = op.query.safeParse(raw.query);
  if (!query.success) issues.push(...toIssues(query.error));

  let body: B = undefined as B;
  if (op.body) {
    if (raw.body === undefined && !op.body.optional) {
      issues.push({ path: "", message: "a JSON body is required" });
    } else if (raw.body !== undefined) {
      const parsed = op.body.schema.safeParse(raw.body);
      if (parsed.success) body = parsed.data;
      else issues.push(...toIssues(parsed.error));
    }
  } else if (raw.body !== undefined) {
    issues.push({ path: "", message: "this call takes no body" });
  }

  const key = op.idempotent && raw.idempotencyKey !== null ? IdempotencyKey.safeParse(raw.idempotencyKey) : null;
  if (key && !key.success) issues.push(...toIssues(key.error, ["Idempotency-Key"]));

  if (issues.length > 0 || !params.success || !query.success) return invalid(issues);
  // Only validated data is fingerprinted: it is small and shallow, whatever the raw body was.
  const idempotency = key?.success ? { key: key.data, fingerprint: await fingerprint(body ?? null) } : null;
  return succeed({ params: params.data, query: query.data, body, idempotency, caller });
}
