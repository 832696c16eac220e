import { RETRY_AFTER_SECONDS, STATUS_OF_ERROR, type ApiError, type ErrorCode } from "../../durable-objects/domain/contract";

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function errorResponse(error: ApiError, headers: Record<string, string> = {}): Response {
  const retry: Record<string, string> = error.code === "unavailable" ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
  return json(STATUS_OF_ERROR[error.code], { error }, { ...headers, ...retry });
}

export function errorOf(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return errorResponse({ code, message }, headers);
}
