/**
 * An example checkout Worker: it reserves a cart in stockwell, commits it when payment succeeds and
 * releases it when the shopper abandons it. Stockwell is reached over a service binding to its
 * `InventoryService` entrypoint: typed RPC, no token, failures returned as values.
 *
 *   PUT    /carts/:cart_id        {customer, items: [{sku, quantity}]}  reserve (replaces the cart's items)
 *   POST   /carts/:cart_id/pay    {payment_id}                          commit into order `order-<payment_id>`
 *   DELETE /carts/:cart_id                                              abandon: release everything
 */
import type { InventoryService } from "../../../src/rpc";

export interface Env {
  INVENTORY: Service<InventoryService>;
}

/** How long a cart holds its stock while the shopper pays. */
const CART_HOLD_SECONDS = 30 * 60;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const reservationOf = (cartId: string) => `cart:${cartId}`;

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
  if (result.ok) return json(200, { cart_id: cartId, items: result.value.lines, hold_until: result.value.expires_at });
  if (result.error.code === "insufficient_stock") {
    // Nothing was held: tell the shopper which items ran short and how many are left.
    return json(409, { error: "sold_out", items: result.error.details?.shortfalls });
  }
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

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const match = /^\/carts\/([A-Za-z0-9._-]{1,64})(\/pay)?$/.exec(url.pathname);
    if (!match) return json(404, { error: "not_found" });
    const [, cartId, payPath] = match as unknown as [string, string, string | undefined];
    if (payPath && request.method === "POST") {
      const body = (await request.json()) as { payment_id?: string };
      if (!body.payment_id) return json(400, { error: "payment_id is required" });
      return pay(env, cartId, body.payment_id);
    }
    if (!payPath && request.method === "PUT") return reserve(env, cartId, (await request.json()) as CartBody);
    if (!payPath && request.method === "DELETE") return abandon(env, cartId);
    return json(405, { error: "method_not_allowed" });
  },
} satisfies ExportedHandler<Env>;
