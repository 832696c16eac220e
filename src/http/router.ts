/**
 * HTTP in front of the operations: authentication before routing (an unknown path without a token is a
 * 401), then 404/405 by route, 403 by scope, 413/400 on the body, and the operation's outcome as JSON.
 */
import { Router, type IRequest } from "itty-router";
import type { Outcome } from "../../durable-objects/domain/contract";
import { describeError, failureOf } from "../../durable-objects/shared/calls";
import type { Env } from "../env";
import { validate, type HttpMethod, type Operation } from "../operation";
import { operations } from "../operations";
import { authenticate, tokenConfigIsValid } from "./auth";
import type { Principal } from "./tokens";
import { isConsolePath, serveConsole } from "./console";
import { allows } from "../scopes";
import { openApiDocument } from "../openapi";
import { readJsonBody } from "./body";
import { errorOf, errorResponse, json } from "./respond";

type AnyOperation = Operation<any, any, any, any>;

let openApiJson: string | null = null;

/** Every answer while `API_TOKENS` is invalid: nobody is let in, whatever token they bring. */
const misconfigured = {
  code: "unavailable" as const,
  message: "the service's token configuration is invalid; an operator must fix API_TOKENS (see the log)",
  details: { retryable: true as const },
};

/** Routes that need no token. */
export const PUBLIC_ROUTES: Record<string, (env: Env) => Response> = {
  "/healthz": () => json(200, { ok: true }),
  // Browsers ask for it on every page of the console: an empty answer, not a 401 in the console's log.
  "/favicon.ico": () => new Response(null, { status: 204, headers: { "cache-control": "public, max-age=86400" } }),
  "/openapi.json": () => {
    openApiJson ??= JSON.stringify(openApiDocument());
    return new Response(openApiJson, { headers: { "content-type": "application/json; charset=utf-8" } });
  },
};

function queryRecord(url: URL): Outcome<Record<string, string>> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in query) {
      return {
        ok: false,
        error: {
          code: "invalid_request",
          message: `${key}: given more than once`,
          details: { issues: [{ path: key, message: "given more than once" }] },
        },
      };
    }
    query[key] = value;
  }
  return { ok: true, value: query };
}

/**
 * Path parameters percent-decoded once (API.md v1.2): `cart%3A81` is `cart:81`. What a segment decodes to is
 * validated like any value, so `%2F` or a space is a 400; a malformed escape is a 400 too.
 */
function decodedParams(params: Record<string, string>): Outcome<Record<string, string>> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params)) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      const message = "is not a valid percent-encoded path segment";
      return { ok: false, error: { code: "invalid_request", message: `${name}: ${message}`, details: { issues: [{ path: name, message }] } } };
    }
  }
  return { ok: true, value: decoded };
}

async function serve(op: AnyOperation, request: IRequest, env: Env, principal: Principal): Promise<Response> {
  const seller = principal.skuPrefix;
  if (seller !== null && !op.seller) return errorOf("forbidden", "a seller's token may not call this route");
  if (!allows(principal.scope, op.scope)) return errorOf("forbidden", `this call needs a token with the ${op.scope} scope`);
  const body = op.method === "GET" ? { ok: true as const, value: undefined } : await readJsonBody(request);
  if (!body.ok) return errorResponse(body.error);
  const params = decodedParams(request.params);
  if (!params.ok) return errorResponse(params.error);
  const query = queryRecord(new URL(request.url));
  if (!query.ok) return errorResponse(query.error);
  const input = await validate(op, {
    params: params.value,
    query: query.value,
    body: body.value,
    idempotencyKey: request.headers.get("idempotency-key"),
  }, { actor: principal.name, scope: principal.scope, skuPrefix: seller });
  if (!input.ok) return errorResponse(input.error);
  // Decided from the request alone, before any object is asked: the answer never says whether a SKU exists.
  if (seller !== null && op.seller!(input.value).some((named) => !named.startsWith(seller))) {
    return errorOf("forbidden", "this token may only name SKUs that start with its sku_prefix");
  }
  const started = performance.now();
  const outcome = await op.run(env, input.value);
  // How long the operation took inside the Worker (objects and D1 included, HTTP excluded).
  const timing = { "server-timing": `op;dur=${(performance.now() - started).toFixed(1)}` };
  if (!outcome.ok) return errorResponse(outcome.error, timing);
  return json(op.successStatus(outcome.created === true), outcome.value, timing);
}

function buildRouter() {
  const router = Router<IRequest, [Env, Principal]>();
  const byPath = new Map<string, Partial<Record<HttpMethod, AnyOperation>>>();
  for (const op of Object.values(operations) as AnyOperation[]) {
    byPath.set(op.path, { ...byPath.get(op.path), [op.method]: op });
  }
  for (const [path, methods] of byPath) {
    const allow = Object.keys(methods).join(", ");
    router.all(path, (request, env, principal) => {
      const op = methods[request.method as HttpMethod];
      if (!op) return errorOf("method_not_allowed", `${request.method} is not allowed here`, { allow });
      return serve(op, request, env, principal);
    });
  }
  router.all("*", () => errorOf("not_found", "no such route"));
  return router;
}

export const router = buildRouter();

export async function handleHttp(request: Request, env: Env): Promise<Response> {
  try {
    if (!tokenConfigIsValid(env.API_TOKENS)) return errorResponse(misconfigured);
    const path = new URL(request.url).pathname;
    if (isConsolePath(path)) return await serveConsole(request, env);
    const publicRoute = PUBLIC_ROUTES[path];
    if (publicRoute) {
      return request.method === "GET" || request.method === "HEAD"
        ? publicRoute(env)
        : errorOf("method_not_allowed", `${request.method} is not allowed here`, { allow: "GET" });
    }
    const auth = await authenticate(request.headers.get("authorization"), env.API_TOKENS);
    if (auth.kind === "misconfigured") return errorResponse(misconfigured);
    if (auth.kind === "unknown") return errorOf("unauthorized", "a valid bearer token is required", { "www-authenticate": "Bearer" });
    return await router.fetch(request, env, auth.principal);
  } catch (err) {
    console.error(`error on ${request.method} ${new URL(request.url).pathname}: ${describeError(err)}`);
    return errorResponse(failureOf(err).error);
  }
}
