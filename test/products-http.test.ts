// The Products endpoints over HTTP, with every status and error code API.md gives them.
import { describe, expect, it } from "vitest";
import { api, ledger, READ_TOKEN, receive, uniqueSku, WRITE_TOKEN } from "./helpers";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("GET /healthz", () => {
  it("answers without a token", async () => {
    const res = await api("GET", "/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });
});

describe("GET /favicon.ico", () => {
  it("answers 204 without a token, so a browser logs no 401 for the console", async () => {
    const res = await api("GET", "/favicon.ico", { token: null });
    expect(res.status).toBe(204);
  });
});

describe("percent-encoded path segments (v1.2)", () => {
  it("decodes each segment once: cart%3A78 is cart:78, for reservations, orders and SKUs", async () => {
    const sku = `PCT:${uniqueSku("ENC")}`;
    expect((await api("POST", `/v1/products/${encodeURIComponent(sku)}/receive`, { body: { quantity: 3 } })).status).toBe(201);
    expect((await api("GET", `/v1/products/${sku}`)).body).toMatchObject({ sku, on_hand: 3 });
    const id = `cart:${uniqueSku("c")}`;
    const put = await api("PUT", `/v1/reservations/${id}`, { body: { holder: "h", lines: [{ sku, quantity: 1 }] } });
    expect(put.status).toBe(201);
    const got = await api("GET", `/v1/reservations/${encodeURIComponent(id)}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(id);
    const order = `order:${uniqueSku("o")}`;
    expect((await api("POST", `/v1/reservations/${encodeURIComponent(id)}/commit`, { body: { order_id: order } })).status).toBe(200);
    expect((await api("GET", `/v1/orders/${encodeURIComponent(order)}`)).body).toMatchObject({ order_id: order });
  });

  it("refuses what a segment decodes to when the pattern does, and a malformed escape, with a 400 naming it", async () => {
    for (const segment of ["cart%2F78", "cart%2078", "%E0%A4%A", "cart%3"]) {
      const res = await api("GET", `/v1/reservations/${segment}`);
      expect(res.status, segment).toBe(400);
      expect(res.body.error.details.issues[0].path, segment).toBe("id");
    }
    // Decoded once, not twice: %253A is the text "%3A", which no id may hold.
    expect((await api("GET", "/v1/reservations/cart%253A78")).status).toBe(400);
  });
});

describe("POST /v1/products/:sku/receive", () => {
  it("appends a received move and answers 201 with the move and the stock", async () => {
    const sku = uniqueSku("TEE");
    const res = await api("POST", `/v1/products/${sku}/receive`, {
      body: { quantity: 10, reason: "purchase order", ref: "PO-9" },
    });
    expect(res.status).toBe(201);
    expect(res.body.move).toEqual({
      sku,
      seq: 1,
      type: "received",
      quantity: 10,
      on_hand: 10,
      reserved: 0,
      committed: 0,
      available: 10,
      reservation_id: null,
      order_id: null,
      reason: "purchase order",
      ref: "PO-9",
      at: expect.stringMatching(ISO_MS),
      location: "default",
      to_location: null,
      incoming_id: null,
      incoming: 0,
      actor: "write",
    });
    expect(res.body.stock).toEqual({
      sku,
      on_hand: 10,
      reserved: 0,
      committed: 0,
      available: 10,
      version: 1,
      updated_at: res.body.move.at,
      locations: [{ location: "default", on_hand: 10, reserved: 0, committed: 0, available: 10 }],
      incoming: 0,
      available_to_promise: 10,
    });
  });

  it("gives every move the next seq with no gaps", async () => {
    const sku = uniqueSku();
    for (const q of [1, 2, 3]) await receive(sku, q);
    const moves = await ledger(sku);
    expect(moves.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(moves.map((m) => m.on_hand)).toEqual([1, 3, 6]);
  });
});

describe("POST /v1/products/:sku/adjust", () => {
  it("applies a signed delta and answers 201", async () => {
    const sku = uniqueSku();
    await receive(sku, 10);
    const res = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -4, reason: "damaged" } });
    expect(res.status).toBe(201);
    expect(res.body.move).toMatchObject({ seq: 2, type: "adjusted", quantity: -4, reason: "damaged", on_hand: 6 });
    expect(res.body.stock).toMatchObject({ on_hand: 6, available: 6, version: 2 });
  });

  it("can open a SKU with a positive adjustment", async () => {
    const sku = uniqueSku();
    const res = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: 3, reason: "found" } });
    expect(res.status).toBe(201);
    expect(res.body.stock).toMatchObject({ on_hand: 3, version: 1 });
  });

  it("answers 409 insufficient_stock when available would fall below 0, and appends nothing", async () => {
    const sku = uniqueSku();
    await receive(sku, 2);
    const res = await api("POST", `/v1/products/${sku}/adjust`, { body: { delta: -3, reason: "count" } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: "insufficient_stock",
      details: { shortfalls: [{ sku, requested: 3, available: 2 }] },
    });
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("answers 409 version_conflict with the current version when expected_version is stale", async () => {
    const sku = uniqueSku();
    await receive(sku, 5);
    await receive(sku, 5);
    const stale = await api("POST", `/v1/products/${sku}/adjust`, {
      body: { delta: -1, reason: "count", expected_version: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "version_conflict", details: { current_version: 2 } });
    const fresh = await api("POST", `/v1/products/${sku}/adjust`, {
      body: { delta: -1, reason: "count", expected_version: 2 },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.body.stock.version).toBe(3);
  });
});

describe("GET /v1/products/:sku", () => {
  it("answers the current stock from the ledger, seeing its own writes at once", async () => {
    const sku = uniqueSku();
    await receive(sku, 4);
    const res = await api("GET", `/v1/products/${sku}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sku,
      on_hand: 4,
      reserved: 0,
      committed: 0,
      available: 4,
      version: 1,
      updated_at: expect.stringMatching(ISO_MS),
      locations: [{ location: "default", on_hand: 4, reserved: 0, committed: 0, available: 4 }],
      incoming: 0,
      available_to_promise: 4,
    });
  });

  it("answers 404 not_found for a SKU with no moves", async () => {
    const res = await api("GET", `/v1/products/${uniqueSku()}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await api("GET", `/v1/products/${uniqueSku()}/moves`)).status).toBe(404);
  });

  it("answers the stock as it was ?at= an instant, and zeros before the first move", async () => {
    const sku = uniqueSku();
    const first = await receive(sku, 4);
    await new Promise((r) => setTimeout(r, 5));
    const second = await receive(sku, 6);
    expect(second.move.at > first.move.at).toBe(true);

    const atFirst = await api("GET", `/v1/products/${sku}?at=${encodeURIComponent(first.move.at)}`);
    expect(atFirst.status).toBe(200);
    expect(atFirst.body).toMatchObject({ on_hand: 4, version: 1, updated_at: first.move.at });

    const now = await api("GET", `/v1/products/${sku}?at=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`);
    expect(now.body).toMatchObject({ on_hand: 10, version: 2 });

    const before = await api("GET", `/v1/products/${sku}?at=2000-01-01T00:00:00.000Z`);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      sku,
      on_hand: 0,
      reserved: 0,
      committed: 0,
      available: 0,
      version: 0,
      updated_at: null,
      locations: [],
      incoming: 0,
      available_to_promise: 0,
    });
  });

  it("rejects an ?at= that is not an ISO instant", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    const res = await api("GET", `/v1/products/${sku}?at=yesterday`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([{ path: "at", message: expect.any(String) }]);
  });
});

describe("GET /v1/products/:sku/moves", () => {
  it("pages the ledger ascending by seq with next_after_seq, null at the end", async () => {
    const sku = uniqueSku();
    for (let i = 1; i <= 5; i++) await receive(sku, i);
    const first = await api("GET", `/v1/products/${sku}/moves?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.moves.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(first.body.next_after_seq).toBe(2);
    const last = await api("GET", `/v1/products/${sku}/moves?after_seq=4&limit=2`);
    expect(last.body.moves.map((m: any) => m.seq)).toEqual([5]);
    expect(last.body.next_after_seq).toBeNull();
    const exact = await api("GET", `/v1/products/${sku}/moves?after_seq=3&limit=2`);
    expect(exact.body.next_after_seq).toBeNull();
    const defaults = await api("GET", `/v1/products/${sku}/moves`);
    expect(defaults.body.moves).toHaveLength(5);
  });

  it("rejects limit outside 1-1000 and a negative after_seq", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    for (const query of ["limit=0", "limit=1001", "limit=abc", "after_seq=-1"]) {
      const res = await api("GET", `/v1/products/${sku}/moves?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });
});

describe("validation: 400 invalid_request that changes nothing", () => {
  const cases: Array<[string, string, unknown]> = [
    ["quantity 0", "receive", { quantity: 0 }],
    ["quantity over a million", "receive", { quantity: 1_000_001 }],
    ["fractional quantity", "receive", { quantity: 1.5 }],
    ["quantity as a string", "receive", { quantity: "3" }],
    ["missing quantity", "receive", {}],
    ["unknown field", "receive", { quantity: 1, colour: "red" }],
    ["empty reason", "receive", { quantity: 1, reason: "" }],
    ["reason over 64", "receive", { quantity: 1, reason: "x".repeat(65) }],
    ["ref over 256", "receive", { quantity: 1, ref: "x".repeat(257) }],
    ["body not an object", "receive", [1]],
    ["zero delta", "adjust", { delta: 0, reason: "x" }],
    ["delta past a million", "adjust", { delta: -1_000_001, reason: "x" }],
    ["adjust without reason", "adjust", { delta: 1 }],
    ["negative expected_version", "adjust", { delta: 1, reason: "x", expected_version: -1 }],
  ];

  it.each(cases)("%s", async (_name, action, body) => {
    const sku = uniqueSku();
    await receive(sku, 5);
    const res = await api("POST", `/v1/products/${sku}/${action}`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.issues.length).toBeGreaterThan(0);
    for (const issue of res.body.error.details.issues) {
      expect(issue).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("names each unknown field in details.issues", async () => {
    const sku = uniqueSku();
    const res = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1, a: 1, b: 2 } });
    expect(res.body.error.details.issues).toEqual([
      { path: "a", message: "unknown field" },
      { path: "b", message: "unknown field" },
    ]);
  });

  it("rejects bad JSON and an empty body", async () => {
    const sku = uniqueSku();
    const bad = await api("POST", `/v1/products/${sku}/receive`, { rawBody: "{quantity: 1" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    const empty = await api("POST", `/v1/products/${sku}/receive`, { rawBody: "" });
    expect(empty.status).toBe(400);
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);
  });

  it("rejects a SKU that breaks the identifier rule", async () => {
    for (const sku of ["-starts-with-dash", "has%20space", "x".repeat(65)]) {
      const res = await api("POST", `/v1/products/${sku}/receive`, { body: { quantity: 1 } });
      expect(res.status, sku).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe("sku");
    }
  });

  it("rejects unknown query parameters", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    const res = await api("GET", `/v1/products/${sku}/moves?afterseq=1`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([{ path: "afterseq", message: "unknown field" }]);
  });

  it("answers 413 payload_too_large over 64 KiB, and writes nothing", async () => {
    const sku = uniqueSku();
    const res = await api("POST", `/v1/products/${sku}/receive`, {
      rawBody: JSON.stringify({ quantity: 1, ref: "x".repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);
  });
});

describe("auth and routing", () => {
  it("answers 401 unauthorized with no token, an unknown token or a malformed header", async () => {
    const sku = uniqueSku();
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${WRITE_TOKEN}` }];
    for (const headers of attempts) {
      const res = await api("POST", `/v1/products/${sku}/receive`, { token: null, headers, body: { quantity: 1 } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
    }
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);
  });

  it("checks the token before routing: an unknown path without a token is a 401", async () => {
    expect((await api("GET", "/nowhere", { token: null })).status).toBe(401);
    const known = await api("GET", "/nowhere");
    expect(known.status).toBe(404);
    expect(known.body.error.code).toBe("not_found");
  });

  it("answers 403 forbidden to a read token on a write call, and writes nothing", async () => {
    const sku = uniqueSku();
    const res = await api("POST", `/v1/products/${sku}/receive`, { token: READ_TOKEN, body: { quantity: 1 } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect((await api("GET", `/v1/products/${sku}`)).status).toBe(404);
  });

  it("lets a write token read", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    expect((await api("GET", `/v1/products/${sku}`, { token: WRITE_TOKEN })).status).toBe(200);
  });

  it("answers 405 method_not_allowed on a known path with the wrong method", async () => {
    const sku = uniqueSku();
    const res = await api("DELETE", `/v1/products/${sku}`);
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe("method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET");
    expect((await api("GET", `/v1/products/${sku}/receive`)).status).toBe(405);
  });

  it("never echoes the token in a response", async () => {
    const res = await api("POST", "/v1/products/x/receive", { token: "secret-guess-123", body: { quantity: 1 } });
    expect(JSON.stringify(res.body)).not.toContain("secret-guess-123");
  });
});

describe("Idempotency-Key", () => {
  it("replays the first response and appends nothing for the same key and body", async () => {
    const sku = uniqueSku();
    const headers = { "idempotency-key": "rcv-1" };
    const first = await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 3, ref: "a" } });
    // Key order and whitespace do not matter: bodies are compared as parsed JSON.
    const again = await api("POST", `/v1/products/${sku}/receive`, {
      headers,
      rawBody: '{ "ref": "a",  "quantity": 3 }',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("answers 409 idempotency_conflict for the same key with a different body", async () => {
    const sku = uniqueSku();
    const headers = { "idempotency-key": "rcv-2" };
    await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 3 } });
    const res = await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 4 } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_conflict");
    expect(await ledger(sku)).toHaveLength(1);
  });

  it("replays a 409 as well: a refused adjust stays refused under its key", async () => {
    const sku = uniqueSku();
    await receive(sku, 1);
    const headers = { "idempotency-key": "adj-1" };
    const first = await api("POST", `/v1/products/${sku}/adjust`, { headers, body: { delta: -2, reason: "x" } });
    await receive(sku, 5);
    const again = await api("POST", `/v1/products/${sku}/adjust`, { headers, body: { delta: -2, reason: "x" } });
    expect(first.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(await ledger(sku)).toHaveLength(2);
  });

  it("scopes keys to method and path: the same key on receive and adjust are two requests", async () => {
    const sku = uniqueSku();
    const headers = { "idempotency-key": "shared" };
    expect((await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 3 } })).status).toBe(201);
    expect((await api("POST", `/v1/products/${sku}/adjust`, { headers, body: { delta: 1, reason: "x" } })).status).toBe(
      201,
    );
    expect(await ledger(sku)).toHaveLength(2);
  });

  it("does not record 400s: a corrected request under the same key goes through", async () => {
    const sku = uniqueSku();
    const headers = { "idempotency-key": "fix-me" };
    expect((await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 0 } })).status).toBe(400);
    expect((await api("POST", `/v1/products/${sku}/receive`, { headers, body: { quantity: 2 } })).status).toBe(201);
  });

  it("rejects a key over 128 characters", async () => {
    const sku = uniqueSku();
    const res = await api("POST", `/v1/products/${sku}/receive`, {
      headers: { "idempotency-key": "k".repeat(129) },
      body: { quantity: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe("Idempotency-Key");
  });
});
