/**
 * An example checkout Worker: it reserves a cart in stockwell, commits it when payment succeeds and
 * releases it when the shopper abandons it. Stockwell is reached over a service binding to its
 * `InventoryService` entrypoint: typed RPC, no token, failures returned as values.
 *
 *   PUT    /carts/:cart_id        {customer, items: [{sku, quantity}]}  reserve (replaces the cart's items)
 *   POST   /carts/:cart_id/pay    {payment_id}                          commit into order `order-<payment_id>`
 *   DELETE /carts/:cart_id                                              abandon: release everything
 *   ANY    /stockwell/*                                                 local demo only: stockwell's own HTTP API
 */
import type { InventoryService } from "../../../src/rpc";

export interface Env {
  /** Typed RPC to stockwell's InventoryService: what the checkout uses. */
  INVENTORY: Service<InventoryService>;
  /**
   * Stockwell's HTTP API (its own tokens still apply), passed through under /stockwell/ so that a person
   * running this example by hand can receive stock and read orders in the same local session.
   */
  STOCKWELL?: Fetcher;
}

/** How long a cart holds its stock while the shopper pays. */
const CART_HOLD_SECONDS = 30 * 60;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const reservationOf = (cartId: string) => `cart:${cartId}`;

/** Stockwell was busy or restarting and nothing was applied: the shopper may simply try again. */
const retryLater = () =>
  new Response(JSON.stringify({ error: "busy", message: "try again in a moment" }), {
    status: 503,
    headers: { "content-type": "application/json", "retry-after": "1" },
  });

interface CartBody {
  customer: string;
  items: Array<{ sku: string; quantity: number }>;
}

async function reserve(env: Env, cartId: string, body: CartBody): Promise<Response> {
  const result = await env.INVENTORY.putReservation(reservationOf(cartId), {
    holder: body.customer,
    lines: body.items,
    ttl_seconds: CART_HOLD_SECONDS,
  });
  if (result.ok) {
    const items = result.value.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    return json(200, { cart_id: cartId, items, hold_until: result.value.expires_at });
  }
  if (result.error.code === "insufficient_stock") {
    // Nothing was held: tell the shopper which items ran short and how many are left.
    return json(409, { error: "sold_out", items: result.error.details?.shortfalls });
  }
  if (result.error.code === "unavailable") return retryLater();
  return json(result.error.code === "invalid_request" ? 400 : 502, { error: result.error.code, message: result.error.message });
}

async function pay(env: Env, cartId: string, paymentId: string): Promise<Response> {
  // The payment id is the idempotency key: a payment webhook delivered twice commits once.
  const result = await env.INVENTORY.commitReservation(
    reservationOf(cartId),
    { order_id: `order-${paymentId}` },
    { idempotencyKey: paymentId },
  );
  if (result.ok) return json(200, { order_id: result.value.order_id, status: "paid" });
  if (result.error.code === "unavailable") return retryLater();
  if (result.error.code === "reservation_not_active") {
    // The hold expired or was abandoned before payment: refund rather than ship.
    return json(409, { error: "cart_expired", refund: paymentId });
  }
  return json(result.error.code === "not_found" ? 404 : 409, { error: result.error.code });
}

async function abandon(env: Env, cartId: string): Promise<Response> {
  const result = await env.INVENTORY.deleteReservation(reservationOf(cartId));
  if (result.ok || result.error.code === "not_found") return new Response(null, { status: 204 });
  return json(409, { error: result.error.code });
}

/** The request's JSON body, or null when it is not JSON (the caller answers 400). */
async function jsonBody(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await request.json();
    return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const notJson = () => json(400, { error: "invalid_json", message: "the body must be a JSON object" });

/** Local demo only: /stockwell/v1/… is stockwell's /v1/…, with the caller's own token. */
function passThrough(request: Request, env: Env, url: URL): Promise<Response> | Response {
  if (!env.STOCKWELL) return json(404, { error: "not_found" });
  const target = new URL(url.pathname.slice("/stockwell".length) + url.search, "http://stockwell.internal");
  return env.STOCKWELL.fetch(new Request(target, request));
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/stockwell/")) return passThrough(request, env, url);
    const match = /^\/carts\/([A-Za-z0-9._-]{1,64})(\/pay)?$/.exec(url.pathname);
    if (!match) return json(404, { error: "not_found" });
    const [, cartId, payPath] = match as unknown as [string, string, string | undefined];
    if (payPath && request.method === "POST") {
      const body = await jsonBody(request);
      if (!body) return notJson();
      if (typeof body.payment_id !== "string" || body.payment_id === "") {
        return json(400, { error: "invalid_request", message: "payment_id is required" });
      }
      return pay(env, cartId, body.payment_id);
    }
    if (!payPath && request.method === "PUT") {
      const body = await jsonBody(request);
      if (!body) return notJson();
      // Everything else about the cart (SKUs, quantities) is validated by stockwell itself.
      return reserve(env, cartId, body as unknown as CartBody);
    }
    if (!payPath && request.method === "DELETE") return abandon(env, cartId);
    return json(405, { error: "method_not_allowed" });
  },
} satisfies ExportedHandler<Env>;
