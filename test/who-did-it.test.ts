// (v1.2) Who did it: every route against every kind of token, the actor on each move type, and what a
// seller's token may see and touch. The tokens are the JSON array in vitest.config.ts.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { operations } from "../src/operations";
import { moveListSql } from "../src/read-model/feed";
import { ADMIN_TOKEN, api, ledger, passDeadline, productStub, READ_TOKEN, reservationStub, uniqueSku, WRITE_TOKEN } from "./helpers";

const ALICE = "test-alice-token";
const SELLER = "test-seller-s1-token";
const SELLER_READER = "test-seller-s1-reader-token";
const SECOND_LOCATION = "wh-actors";

type Scope = "read" | "write" | "admin";
type Request = { path: string; body?: unknown };

/**
 * A route as API.md gives it: the scope it needs, whether a seller's token may call it (v1.2: the product
 * routes, POST /v1/counts, GET /v1/stock, /v1/moves and /v1/reports/daily, and GET /v1/token, which names
 * no SKU), and a valid request naming `sku`. `outside` is the request a seller makes naming another's SKU;
 * null where the route names none.
 */
interface Route {
  method: string;
  pattern: string;
  scope: Scope;
  seller: boolean;
  request: (sku: string) => Request;
  outside?: ((mine: string, theirs: string) => Request) | null;
}

const DAY = new Date().toISOString().slice(0, 10);
const EXPECTED_AT = "2027-06-01T00:00:00.000Z";
/** An admin route is called with a query it refuses: past the token checks it answers 400 and changes nothing. */
const adminOnly = (method: string, pattern: string, path: string): Route => ({
  method,
  pattern,
  scope: "admin",
  seller: false,
  request: () => ({ path: `${path}?not_a_parameter=1` }),
});

const ROUTES: Route[] = [
  { method: "GET", pattern: "/v1/token", scope: "read", seller: true, request: () => ({ path: "/v1/token" }), outside: null },
  { method: "GET", pattern: "/v1/products/:sku", scope: "read", seller: true, request: (s) => ({ path: `/v1/products/${s}` }) },
  { method: "POST", pattern: "/v1/products/:sku/receive", scope: "write", seller: true, request: (s) => ({ path: `/v1/products/${s}/receive`, body: { quantity: 5 } }) },
  { method: "POST", pattern: "/v1/products/:sku/adjust", scope: "write", seller: true, request: (s) => ({ path: `/v1/products/${s}/adjust`, body: { delta: 1, reason: "found" } }) },
  {
    method: "POST",
    pattern: "/v1/products/:sku/transfer",
    scope: "write",
    seller: true,
    request: (s) => ({ path: `/v1/products/${s}/transfer`, body: { from: "default", to: SECOND_LOCATION, quantity: 1 } }),
  },
  { method: "GET", pattern: "/v1/products/:sku/moves", scope: "read", seller: true, request: (s) => ({ path: `/v1/products/${s}/moves` }) },
  { method: "POST", pattern: "/v1/products/:sku/count", scope: "write", seller: true, request: (s) => ({ path: `/v1/products/${s}/count`, body: { on_hand: 6 } }) },
  { method: "GET", pattern: "/v1/products/:sku/settings", scope: "read", seller: true, request: (s) => ({ path: `/v1/products/${s}/settings` }) },
  {
    method: "PUT",
    pattern: "/v1/products/:sku/settings",
    scope: "write",
    seller: true,
    request: (s) => ({ path: `/v1/products/${s}/settings`, body: { low_stock_threshold: 2 } }),
  },
  {
    method: "PUT",
    pattern: "/v1/products/:sku/incoming/:id",
    scope: "write",
    seller: true,
    request: (s) => ({ path: `/v1/products/${s}/incoming/po-1`, body: { quantity: 3, expected_at: EXPECTED_AT } }),
  },
  { method: "GET", pattern: "/v1/products/:sku/incoming/:id", scope: "read", seller: true, request: (s) => ({ path: `/v1/products/${s}/incoming/po-1` }) },
  { method: "GET", pattern: "/v1/products/:sku/incoming", scope: "read", seller: true, request: (s) => ({ path: `/v1/products/${s}/incoming` }) },
  { method: "DELETE", pattern: "/v1/products/:sku/incoming/:id", scope: "write", seller: true, request: (s) => ({ path: `/v1/products/${s}/incoming/po-1` }) },
  {
    method: "POST",
    pattern: "/v1/counts",
    scope: "write",
    seller: true,
    request: (s) => ({ path: "/v1/counts", body: { lines: [{ sku: s, on_hand: 4 }] } }),
    // One line outside the prefix refuses the whole call.
    outside: (mine, theirs) => ({ path: "/v1/counts", body: { lines: [{ sku: mine, on_hand: 4 }, { sku: theirs, on_hand: 4 }] } }),
  },
  { method: "GET", pattern: "/v1/stock", scope: "read", seller: true, request: (s) => ({ path: `/v1/stock?sku=${s}` }) },
  { method: "GET", pattern: "/v1/moves", scope: "read", seller: true, request: (s) => ({ path: `/v1/moves?sku=${s}` }) },
  {
    method: "GET",
    pattern: "/v1/reports/daily",
    scope: "read",
    seller: true,
    request: (s) => ({ path: `/v1/reports/daily?sku=${s}&from=${DAY}&to=${DAY}` }),
  },
  {
    method: "PUT",
    pattern: "/v1/reservations/:id",
    scope: "write",
    seller: false,
    request: (s) => ({ path: `/v1/reservations/cart-${s}`, body: { holder: "h", lines: [{ sku: s, quantity: 1 }] } }),
  },
  { method: "GET", pattern: "/v1/reservations/:id", scope: "read", seller: false, request: (s) => ({ path: `/v1/reservations/cart-${s}` }) },
  {
    method: "POST",
    pattern: "/v1/reservations/:id/commit",
    scope: "write",
    seller: false,
    request: (s) => ({ path: `/v1/reservations/cart-${s}/commit`, body: { order_id: `order-${s}` } }),
  },
  { method: "DELETE", pattern: "/v1/reservations/:id", scope: "write", seller: false, request: (s) => ({ path: `/v1/reservations/cart-${s}` }) },
  { method: "GET", pattern: "/v1/reservations", scope: "read", seller: false, request: () => ({ path: "/v1/reservations?holder=h" }) },
  { method: "GET", pattern: "/v1/orders/:order_id", scope: "read", seller: false, request: (s) => ({ path: `/v1/orders/order-${s}` }) },
  { method: "GET", pattern: "/v1/orders", scope: "read", seller: false, request: () => ({ path: "/v1/orders" }) },
  ...(["fulfil", "cancel"] as const).map(
    (action): Route => ({
      method: "POST",
      pattern: `/v1/orders/:order_id/${action}`,
      scope: "write",
      seller: false,
      request: (s) => ({ path: `/v1/orders/order-${s}/${action}`, body: {} }),
    }),
  ),
  {
    method: "POST",
    pattern: "/v1/orders/:order_id/return",
    scope: "write",
    seller: false,
    request: (s) => ({ path: `/v1/orders/order-${s}/return`, body: { lines: [{ sku: s, quantity: 1 }] } }),
  },
  { method: "GET", pattern: "/v1/locations", scope: "read", seller: false, request: () => ({ path: "/v1/locations" }) },
  { method: "GET", pattern: "/v1/locations/:location", scope: "read", seller: false, request: () => ({ path: "/v1/locations/default" }) },
  {
    method: "PUT",
    pattern: "/v1/bundles/:sku",
    scope: "write",
    seller: false,
    request: (s) => ({ path: `/v1/bundles/KIT-${s}`, body: { components: [{ sku: s, quantity: 2 }] } }),
  },
  { method: "GET", pattern: "/v1/bundles/:sku", scope: "read", seller: false, request: (s) => ({ path: `/v1/bundles/KIT-${s}` }) },
  { method: "DELETE", pattern: "/v1/bundles/:sku", scope: "write", seller: false, request: (s) => ({ path: `/v1/bundles/KIT-${s}` }) },
  adminOnly("POST", "/v1/admin/read-model/reset", "/v1/admin/read-model/reset"),
  adminOnly("POST", "/v1/admin/read-model/rebuild", "/v1/admin/read-model/rebuild"),
  adminOnly("GET", "/v1/admin/health", "/v1/admin/health"),
  adminOnly("POST", "/v1/webhooks", "/v1/webhooks"),
  adminOnly("GET", "/v1/webhooks", "/v1/webhooks"),
  adminOnly("GET", "/v1/webhooks/:id", "/v1/webhooks/wh-none"),
  adminOnly("DELETE", "/v1/webhooks/:id", "/v1/webhooks/wh-none"),
  adminOnly("GET", "/v1/webhooks/:id/deliveries", "/v1/webhooks/wh-none/deliveries"),
  adminOnly("POST", "/v1/webhooks/:id/ping", "/v1/webhooks/wh-none/ping"),
  adminOnly("POST", "/v1/webhooks/:id/deliveries/:event_id/retry", "/v1/webhooks/wh-none/deliveries/evt-none/retry"),
  adminOnly("PUT", "/v1/locations/:location", `/v1/locations/${SECOND_LOCATION}`),
];

type Role = "read" | "write" | "admin" | "seller-in" | "seller-out";
const ROLES: Role[] = ["read", "write", "admin", "seller-in", "seller-out"];
const TOKEN: Record<Role, string> = { read: READ_TOKEN, write: WRITE_TOKEN, admin: ADMIN_TOKEN, "seller-in": SELLER, "seller-out": SELLER };

/** What API.md answers: the call runs (any status but 400, 401 and 403), or 403 `forbidden`. */
function contractAnswer(route: Route, role: Role): "runs" | "forbidden" {
  const granted: Scope = role === "read" ? "read" : role === "admin" ? "admin" : "write";
  const scopeAllows = route.scope === "read" || (route.scope === "write" ? granted !== "read" : granted === "admin");
  if (role === "seller-in") return route.seller && scopeAllows ? "runs" : "forbidden";
  if (role === "seller-out") return route.seller && route.outside === null && scopeAllows ? "runs" : "forbidden";
  return scopeAllows ? "runs" : "forbidden";
}

beforeAll(async () => {
  const put = await api("PUT", `/v1/locations/${SECOND_LOCATION}`, { token: ADMIN_TOKEN, body: { name: "Actors' shelf" } });
  expect(put.status).toBeLessThan(300);
});

describe("(v1.2) every route × every kind of token", () => {
  it("lists every route the service has", () => {
    const routes = new Set(ROUTES.map((r) => `${r.method} ${r.pattern}`));
    const served = Object.values(operations).map((op) => `${op.method} ${op.path}`);
    expect([...routes].sort()).toEqual([...new Set(served)].sort());
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.pattern}`, r] as const))("%s answers each token as the contract says", async (_name, route) => {
    for (const role of ROLES) {
      const mine = uniqueSku("S1-T");
      const theirs = uniqueSku("S2-T");
      const request =
        role === "seller-out" ? (route.outside ? route.outside(mine, theirs) : route.outside === null ? route.request(mine) : route.request(theirs)) : route.request(mine);
      const res = await api(route.method, request.path, { token: TOKEN[role], body: request.body });
      const where = `${role} ${route.method} ${request.path}: ${res.status} ${JSON.stringify(res.body)}`;
      if (contractAnswer(route, role) === "forbidden") {
        expect(res.status, where).toBe(403);
        expect(res.body.error.code, where).toBe("forbidden");
      } else if (route.scope === "admin") {
        // Past every token check, the query it refuses.
        expect(res.status, where).toBe(400);
      } else {
        expect([400, 401, 403, 500, 503], where).not.toContain(res.status);
      }
    }
  });
});

describe("(v1.2) seller tokens", () => {
  it("answer a SKU outside the prefix the same whether or not it exists, and change nothing", async () => {
    const existing = uniqueSku("S2-X");
    await api("POST", `/v1/products/${existing}/receive`, { body: { quantity: 3 } });
    const missing = uniqueSku("S2-X");
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["GET", "/moves", undefined],
      ["GET", "/settings", undefined],
      ["POST", "/adjust", { delta: -3, reason: "theft" }],
      ["POST", "/count", { on_hand: 0 }],
    ] as const) {
      const a = await api(method, `/v1/products/${existing}${suffix}`, { token: SELLER, body });
      const b = await api(method, `/v1/products/${missing}${suffix}`, { token: SELLER, body });
      expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
      expect(a.status).toBe(403);
    }
    expect((await api("GET", `/v1/products/${existing}`)).body).toMatchObject({ on_hand: 3, version: 1 });
  });

  it("refuse bulk counts with one line outside the prefix as a whole, applying no line", async () => {
    const mine = uniqueSku("S1-C");
    const res = await api("POST", "/v1/counts", {
      token: SELLER,
      body: { lines: [{ sku: mine, on_hand: 9 }, { sku: uniqueSku("S2-C"), on_hand: 9 }] },
    });
    expect(res.status).toBe(403);
    expect((await api("GET", `/v1/products/${mine}`)).status).toBe(404);
  });

  it("see lists, the feed and the daily report filtered to their prefix, and are refused a prefix wider than theirs", async () => {
    const mine = uniqueSku("S1-L");
    const theirs = uniqueSku("S2-L");
    const near = `S1${uniqueSku("L")}`; // starts with S1 but not S1-
    for (const sku of [mine, theirs, near]) {
      await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 2, ref: "PO-SELLER" } });
      await productStub(sku).flush();
    }
    const stock = await api("GET", "/v1/stock?limit=1000", { token: SELLER_READER });
    expect(stock.status).toBe(200);
    expect(stock.body.items.map((i: { sku: string }) => i.sku)).toContain(mine);
    expect(stock.body.items.every((i: { sku: string }) => i.sku.startsWith("S1-"))).toBe(true);

    const narrower = await api("GET", `/v1/stock?prefix=${mine.slice(0, 8)}`, { token: SELLER_READER });
    expect(narrower.status).toBe(200);
    for (const wider of ["S1", "S", "S2-"]) {
      expect((await api("GET", `/v1/stock?prefix=${wider}`, { token: SELLER_READER })).status).toBe(403);
    }
    expect((await api("GET", `/v1/stock?sku=${mine},${theirs}`, { token: SELLER_READER })).status).toBe(403);

    for (const query of ["ref=PO-SELLER", "type=received", "actor=write"]) {
      const feed = await api("GET", `/v1/moves?${query}&limit=1000`, { token: SELLER_READER });
      expect(feed.status).toBe(200);
      const fed = feed.body.moves.map((m: { sku: string }) => m.sku);
      expect(fed, query).toContain(mine);
      expect(fed.every((s: string) => s.startsWith("S1-")), query).toBe(true);
    }

    const report = await api("GET", `/v1/reports/daily?from=${DAY}&to=${DAY}&limit=10000`, { token: SELLER_READER });
    expect(report.status).toBe(200);
    const reported = report.body.days.map((d: { sku: string }) => d.sku);
    expect(reported).toContain(mine);
    expect(reported.every((s: string) => s.startsWith("S1-"))).toBe(true);
  });

  it("get the same feed page whether their SKUs are read by the SKU index (a small seller) or the cursor walk", async () => {
    for (let i = 0; i < 3; i++) {
      const sku = uniqueSku("S1-W");
      await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1 } });
      await productStub(sku).flush();
    }
    for (const filter of [{}, { type: "received" as const }, { actor: "write" }, { location: "default" }]) {
      const page = async (smallSeller: boolean) => {
        const { sql, binds } = moveListSql({ ...filter, prefix: "S1-", limit: 50 }, false, smallSeller);
        return (await env.DB.prepare(sql).bind(...binds).all()).results;
      };
      const walked = await page(false);
      expect(walked.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(await page(true), JSON.stringify(filter)).toEqual(walked);
    }
  });

  it("a read-scoped seller may read its SKUs but not write them", async () => {
    const mine = uniqueSku("S1-R");
    await api("POST", `/v1/products/${mine}/receive`, { body: { quantity: 1 } });
    expect((await api("GET", `/v1/products/${mine}`, { token: SELLER_READER })).status).toBe(200);
    const write = await api("POST", `/v1/products/${mine}/receive`, { token: SELLER_READER, body: { quantity: 1 } });
    expect(write.status).toBe(403);
  });

  it("draw the prefix's boundary exactly: case, a missing dash, another seller's digits, encoded characters", async () => {
    const cases: Array<[string, boolean]> = [
      ["S1", false],
      ["S1-", true],
      ["S1-x", true],
      ["s1-x", false],
      ["S1_x", false],
      ["S1x", false],
      ["S10-x", false],
      ["S11-x", false],
      ["S1:-x", false],
      ["S1-%78", true], // S1-x
      ["%53%31-x", true], // S1-x
      ["S1%2Dx", true], // S1-x
      ["%73%31-x", false], // s1-x
      ["S1%5F-x", false], // S1_-x
    ];
    for (const [segment, inside] of cases) {
      const res = await api("GET", `/v1/products/${segment}`, { token: SELLER });
      expect(res.status, segment).toBe(inside ? 404 : 403);
    }
  });

  it("fuzz: any SKU is refused exactly when it does not start with the prefix", async () => {
    const letter = fc.constantFrom("S", "s", "1", "0", "-", "_", ".", ":", "x");
    const sku = fc
      .array(letter, { minLength: 1, maxLength: 6 })
      .map((l) => l.join(""))
      .filter((s) => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(s));
    await fc.assert(
      fc.asyncProperty(sku, fc.boolean(), async (s, encode) => {
        const segment = encode ? [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("") : s;
        const res = await api("GET", `/v1/products/${segment}/settings`, { token: SELLER_READER });
        expect(res.status, s).toBe(s.startsWith("S1-") ? 200 : 403);
      }),
      { numRuns: 150 },
    );
  });
});

describe("(v1.2) the actor on every move", () => {
  const by = (token: string) => ({ token });

  it("records the token's name for each move type made over HTTP, and system for expiry", async () => {
    const sku = uniqueSku("ACT");
    const cart = uniqueSku("cart-act");
    const order = uniqueSku("order-act");
    const post = (path: string, body: unknown) => api("POST", path, { ...by(ALICE), body });
    expect((await post(`/v1/products/${sku}/receive`, { quantity: 10 })).status).toBe(201);
    expect((await post(`/v1/products/${sku}/adjust`, { delta: -1, reason: "damaged" })).status).toBe(201);
    expect((await post(`/v1/products/${sku}/count`, { on_hand: 8 })).status).toBe(201);
    expect((await post(`/v1/products/${sku}/transfer`, { from: "default", to: SECOND_LOCATION, quantity: 1 })).status).toBe(201);
    expect((await api("PUT", `/v1/products/${sku}/incoming/po-9`, { ...by(ALICE), body: { quantity: 4, expected_at: EXPECTED_AT } })).status).toBe(201);
    expect((await api("DELETE", `/v1/products/${sku}/incoming/po-9`, by(ALICE))).status).toBe(200);
    const reserve = (quantity: number) =>
      api("PUT", `/v1/reservations/${cart}`, { ...by(ALICE), body: { holder: "h", lines: [{ sku, quantity }] } });
    expect((await reserve(3)).status).toBe(201);
    expect((await reserve(2)).status).toBe(200); // releases one
    expect((await post(`/v1/reservations/${cart}/commit`, { order_id: order })).status).toBe(200);
    expect((await post(`/v1/orders/${order}/fulfil`, { lines: [{ sku, quantity: 1 }] })).status).toBe(200);
    expect((await post(`/v1/orders/${order}/cancel`, { lines: [{ sku, quantity: 1 }] })).status).toBe(200);
    expect((await post(`/v1/orders/${order}/return`, { lines: [{ sku, quantity: 1 }] })).status).toBe(200);
    const bulk = await api("POST", "/v1/counts", { token: WRITE_TOKEN, body: { lines: [{ sku, on_hand: 5 }] } });
    expect(bulk.status).toBe(200);

    const moves = await ledger(sku);
    const types = moves.map((m) => m.type);
    for (const type of ["received", "adjusted", "transferred", "expected", "expected_cancelled", "reserved", "released", "committed", "fulfilled", "cancelled", "returned"]) {
      expect(types, type).toContain(type);
    }
    expect(moves.slice(0, -1).every((m) => m.actor === "ops:alice"), JSON.stringify(moves.map((m) => [m.type, m.actor]))).toBe(true);
    // The v1.1-named token of the write scope.
    expect(moves.at(-1)).toMatchObject({ type: "adjusted", actor: "write" });

    // The read model carries it, and the feed filters by it through its index.
    await productStub(sku).flush();
    const feed = await api("GET", `/v1/moves?actor=ops:alice&sku=${sku}&limit=1000`);
    expect(feed.body.moves).toHaveLength(moves.length - 1);
    const alone = await api("GET", "/v1/moves?actor=ops:alice&limit=1000");
    expect(alone.body.moves.every((m: { actor: string }) => m.actor === "ops:alice")).toBe(true);
    expect(alone.body.moves.filter((m: { sku: string }) => m.sku === sku)).toHaveLength(moves.length - 1);
  });

  it("records system for a reservation's expiry, and the caller for the roll-back of its refused PUT", async () => {
    const sku = uniqueSku("ACT-EXP");
    await api("POST", `/v1/products/${sku}/receive`, { token: ALICE, body: { quantity: 2 } });
    const scarce = uniqueSku("ACT-SCARCE");
    const refused = await api("PUT", `/v1/reservations/${uniqueSku("cart")}`, {
      token: ALICE,
      body: { holder: "h", lines: [{ sku, quantity: 1 }, { sku: scarce, quantity: 1 }] },
    });
    expect(refused.status).toBe(409);
    const rolledBack = (await ledger(sku)).filter((m) => m.type === "released");
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack.every((m) => m.actor === "ops:alice" && m.reason === "rolled_back")).toBe(true);

    const cart = uniqueSku("cart-exp");
    const put = await api("PUT", `/v1/reservations/${cart}`, { token: ALICE, body: { holder: "h", lines: [{ sku, quantity: 2 }], ttl_seconds: 1 } });
    expect(put.status).toBe(201);
    passDeadline(Date.parse(put.body.expires_at));
    await runDurableObjectAlarm(reservationStub(cart));
    const expired = (await ledger(sku)).at(-1);
    expect(expired).toMatchObject({ type: "released", reason: "expired", actor: "system" });
    await productStub(sku).flush();
    const feed = await api("GET", `/v1/moves?actor=system&sku=${sku}`);
    expect(feed.body.moves.map((m: { seq: number }) => m.seq)).toEqual([expired.seq]);
  });

  it("records rpc for the entrypoint called without a name", async () => {
    const sku = uniqueSku("ACT-RPC");
    const received = await exports.InventoryService.receive(sku, { quantity: 1 });
    expect(received).toMatchObject({ ok: true, value: { move: { actor: "rpc" } } });
  });
});

describe("(v1.2) GET /v1/token", () => {
  it("says who the caller is, never the token", async () => {
    const seller = await api("GET", "/v1/token", { token: SELLER });
    expect(seller.body).toEqual({ name: "seller-s1", scope: "write", sku_prefix: "S1-" });
    expect(JSON.stringify(seller.body)).not.toContain(SELLER);
    expect((await api("GET", "/v1/token", { token: READ_TOKEN })).body).toEqual({ name: "read", scope: "read", sku_prefix: null });
  });
});

