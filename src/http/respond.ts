import { STATUS_OF_ERROR, type ApiError, type ErrorCode } from "../contract";

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function errorResponse(error: ApiError, headers: HeadersInit = {}): Response {
  return json(STATUS_OF_ERROR[error.code], { error }, headers);
}

export function errorOf(code: ErrorCode, message: string, headers: HeadersInit = {}): Response {
  return errorResponse({ code, message }, headers);
}
