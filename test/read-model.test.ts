// GET /v1/stock and GET /v1/moves: the D1 read model as clients page through it.
import { describe, expect, it } from "vitest";
import { api, productStub, receive, uniqueSku } from "./helpers";

async function projected(...skus: string[]) {
  await Promise.all(skus.map((sku) => productStub(sku).flush()));
}

describe("GET /v1/stock", () => {
  it("pages every SKU in sku order with after_sku and next_after_sku", async () => {
    const prefix = uniqueSku("LIST");
    const skus = ["A", "B", "C", "D", "E"].map((s) => `${prefix}-${s}`);
    for (const sku of skus) await receive(sku, 1);
    await projected(...skus);

    const seen: string[] = [];
    let after = `${prefix}-`;
    for (;;) {
      const res = await api("GET", `/v1/stock?limit=2&after_sku=${after}`);
      expect(res.status).toBe(200);
      const mine = res.body.items.filter((s: any) => s.sku.startsWith(prefix));
      seen.push(...mine.map((s: any) => s.sku));
      if (res.body.next_after_sku === null || mine.length < res.body.items.length) break;
      after = res.body.next_after_sku;
    }
    expect(seen).toEqual(skus);
  });

  it("lists the 100 SKUs that ?sku= may name, in one page, with a bundle among them", async () => {
    const prefix = uniqueSku("HUNDRED");
    const stocked = Array.from({ length: 3 }, (_, i) => `${prefix}-S${i}`);
    for (const sku of stocked) await receive(sku, 2);
    await projected(...stocked);
    const bundle = `${prefix}-KIT`;
    const defined = await api("PUT", `/v1/bundles/${bundle}`, { body: { components: [{ sku: stocked[0], quantity: 2 }] } });
    expect(defined.status).toBe(201);
    const named = [...stocked, bundle, ...Array.from({ length: 96 }, (_, i) => `${prefix}-NONE${i}`)];
    expect(named).toHaveLength(100);

    const res = await api("GET", `/v1/stock?limit=1000&sku=${named.join(",")}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: any) => s.sku)).toEqual([bundle, ...stocked].sort());
    expect(res.body.items.find((s: any) => s.sku === bundle)).toMatchObject({ bundle: true, available: 1 });
  });

  it("answers the Stock object of API.md for each item", async () => {
    const sku = uniqueSku("SHAPE");
    await receive(sku, 3);
    await projected(sku);
    const res = await api("GET", `/v1/stock?after_sku=${sku.slice(0, -1)}&limit=1000`);
    expect(res.body.items.find((s: any) => s.sku === sku)).toEqual({
      sku,
      on_hand: 3,
      reserved: 0,
      committed: 0,
      available: 3,
      version: 1,
      updated_at: expect.any(String),
      locations: [{ location: "default", on_hand: 3, reserved: 0, committed: 0, available: 3 }],
    });
  });

  it("filters on in_stock", async () => {
    const prefix = uniqueSku("INSTOCK");
    const full = `${prefix}-full`;
    const empty = `${prefix}-empty`;
    await receive(full, 2);
    await receive(empty, 2);
    await api("POST", `/v1/products/${empty}/adjust`, { body: { delta: -2, reason: "count" } });
    await projected(full, empty);

    const skusOf = async (query: string) =>
      (await api("GET", `/v1/stock?after_sku=${prefix}&limit=1000&${query}`)).body.items
        .map((s: any) => s.sku)
        .filter((s: string) => s.startsWith(prefix));
    expect(await skusOf("in_stock=true")).toEqual([full]);
    expect(await skusOf("in_stock=false")).toEqual([empty]);
    expect(await skusOf("")).toEqual([empty, full]);
  });

  it("rejects a bad limit or in_stock value", async () => {
    for (const query of ["limit=0", "limit=1001", "in_stock=yes"]) {
      const res = await api("GET", `/v1/stock?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });
});

describe("GET /v1/moves", () => {
  it("filters by sku and resumes after a cursor, as a change feed", async () => {
    const sku = uniqueSku("FEED");
    const other = uniqueSku("OTHER");
    for (const q of [1, 2, 3]) {
      await receive(sku, q);
      await receive(other, q);
    }
    await projected(sku, other);

    const first = await api("GET", `/v1/moves?sku=${sku}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.moves.map((m: any) => [m.sku, m.seq])).toEqual([
      [sku, 1],
      [sku, 2],
    ]);
    expect(first.body.next_after).toBe(first.body.moves[1].cursor);
    const rest = await api("GET", `/v1/moves?sku=${sku}&after=${first.body.next_after}`);
    expect(rest.body.moves.map((m: any) => m.seq)).toEqual([3]);
    const end = await api("GET", `/v1/moves?sku=${sku}&after=${rest.body.next_after}`);
    expect(end.body).toEqual({ moves: [], next_after: rest.body.next_after });
  });

  it("rejects a cursor it never issued and an unknown type", async () => {
    expect((await api("GET", "/v1/moves?after=abc")).status).toBe(400);
    expect((await api("GET", "/v1/moves?type=stolen")).status).toBe(400);
  });
});
