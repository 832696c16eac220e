// Calling stockwell's API with the token of this tab, and saying its errors in words.

const TOKEN_KEY = "stockwell.token";

/** The token typed in: in this tab's sessionStorage only, never in a URL, never logged. */
export const session = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** The token's name, scope and prefix (GET /v1/token), once known. */
  who: null,
  keep(token) {
    this.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  forget() {
    this.token = null;
    this.who = null;
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = error ?? { code: "internal", message: `HTTP ${status}` };
  }
}

export async function call(method, path, body, headers = {}, token = session.token) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload?.error);
  return payload;
}

/**
 * Idempotency keys of writes in flight, by what they send: a double click (or a retry after a lost answer)
 * sends the same request with the same key, so the API applies it once. A write that got its answer gives
 * its key up, so the same request made again on purpose is a new one.
 */
const keys = new Map();

/** A write: POSTs carry an Idempotency-Key (PUT and DELETE are idempotent by themselves). */
export async function write(method, path, body) {
  if (method !== "POST") return call(method, path, body);
  const request = `${path} ${JSON.stringify(body ?? null)}`;
  const key = keys.get(request) ?? crypto.randomUUID();
  keys.set(request, key);
  try {
    const answer = await call(method, path, body, { "idempotency-key": key });
    keys.delete(request);
    return answer;
  } catch (err) {
    // A refusal is final: the same request sent again is a new try. A lost answer keeps the key.
    if (err instanceof ApiError) keys.delete(request);
    throw err;
  }
}

export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** Every page of a list, following its cursor (`next`: how a page names the next one). */
export async function allPages(path, params, itemsOf, next) {
  const items = [];
  let cursor = {};
  for (;;) {
    const page = await call("GET", `${path}${query({ ...params, ...cursor })}`);
    items.push(...itemsOf(page));
    const after = next(page);
    if (after === null || after === undefined || itemsOf(page).length === 0) return items;
    cursor = after;
  }
}

/** An API error in words a person understands: which SKU is short, and by how much. */
export function explain(err) {
  if (!(err instanceof ApiError)) return `Could not reach stockwell (${err.message}).`;
  const { code, message, details } = err.error;
  switch (code) {
    case "unauthorized":
      return "That token was not accepted. Paste a token from API_TOKENS (locally: local-admin-token).";
    case "forbidden":
      return `This token is not allowed to do that: ${message}.`;
    case "not_found":
      return `Not found: ${message}.`;
    case "insufficient_stock":
      return (details?.shortfalls ?? [])
        .map((s) => `Not enough ${s.sku}${s.location ? ` at ${s.location}` : ""}: this needs ${s.requested}, but only ${s.available} ${s.available === 1 ? "is" : "are"} available (short by ${s.requested - s.available}). The rest is reserved or committed.`)
        .join(" ") || message;
    case "version_conflict":
      return `The stock changed meanwhile (now at version ${details?.current_version}). Reload it and try again.`;
    case "reservation_not_active":
      return `The reservation is ${details?.status ?? "no longer active"}, so it cannot be changed.`;
    case "quantity_exceeds_order":
      return (details?.lines ?? []).map((l) => `${l.sku}: asked for ${l.requested}, the order allows ${l.allowed}.`).join(" ") || message;
    case "invalid_request":
      return `Please check the input: ${(details?.issues ?? []).map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join("; ") || message}.`;
    case "conflict":
      return `${message}.`;
    case "unavailable":
      return "stockwell is busy right now; nothing was changed. Try again in a moment.";
    default:
      return `${message} (${code}).`;
  }
}
