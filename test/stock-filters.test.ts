// Contract v1.1: GET /v1/stock?prefix=… and ?sku=A,B, alone and with the other filters, paged by sku.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, productStub, receive, uniqueSku } from "./helpers";

const root = uniqueSku("FIND");
const mugs = ["MUG-1", "MUG-2", "MUG-3"].map((s) => `${root}-${s}`);
const tee = `${root}-TEE-1`;
const lookalike = `${root}-MUGS`; // starts with the prefix "…-MUG" too

beforeAll(async () => {
  await receive(mugs[0]!, 5);
  await receive(mugs[1]!, 1);
  await api("POST", `/v1/products/${mugs[1]}/adjust`, { body: { delta: -1, reason: "count" } }); // out of stock
  await receive(mugs[2]!, 2);
  await receive(tee, 4);
  await receive(lookalike, 9);
  for (const sku of [...mugs, tee, lookalike]) await productStub(sku).flush();
});

/** Every SKU the listing answers for `query`, following its pages two at a time. */
async function listed(query: string): Promise<string[]> {
  const found: string[] = [];
  let after = "";
  for (;;) {
    const res: any = await api("GET", `/v1/stock?${query}&limit=2&after_sku=${encodeURIComponent(after)}`);
    expect(res.status, query).toBe(200);
    found.push(...res.body.items.map((s: any) => s.sku));
    if (!res.body.next_after_sku) return found;
    after = res.body.next_after_sku;
  }
}

describe("GET /v1/stock filters", () => {
  it("prefix: every SKU starting with it, in sku order, across pages", async () => {
    expect(await listed(`prefix=${root}-MUG`)).toEqual([...mugs, lookalike]);
    expect(await listed(`prefix=${root}-MUG-`)).toEqual(mugs);
    expect(await listed(`prefix=${root}-NONE`)).toEqual([]);
  });

  it("sku: exactly the SKUs named, in sku order, whatever order they are given in; unknown ones are absent", async () => {
    expect(await listed(`sku=${[tee, mugs[2], mugs[0], `${root}-GHOST`].join(",")}`)).toEqual([mugs[0], mugs[2], tee]);
  });

  it("combine with each other and with in_stock", async () => {
    expect(await listed(`prefix=${root}-MUG-&in_stock=false`)).toEqual([mugs[1]]);
    expect(await listed(`prefix=${root}-MUG-&in_stock=true`)).toEqual([mugs[0], mugs[2]]);
    expect(await listed(`prefix=${root}-TEE&sku=${[tee, mugs[0]].join(",")}`)).toEqual([tee]);
  });

  it("resume after a SKU past the prefix's start", async () => {
    const res = await api("GET", `/v1/stock?prefix=${root}-MUG-&after_sku=${mugs[0]}`);
    expect(res.body.items.map((s: any) => s.sku)).toEqual([mugs[1], mugs[2]]);
  });

  it("refuse a bad prefix, an empty name in the list, or more than 100 names, naming the field", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`).join(",");
    for (const [query, field] of [
      ["prefix=-x", "prefix"],
      ["sku=A,,B", "sku"],
      [`sku=${many}`, "sku"],
    ] as const) {
      const res = await api("GET", `/v1/stock?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.issues[0].path, query).toMatch(new RegExp(`^${field}`));
    }
  });

  it("are the same over RPC", async () => {
    const page = await exports.InventoryService.listStock({ prefix: `${root}-MUG-`, in_stock: true });
    expect(page).toMatchObject({ ok: true, value: { items: [{ sku: mugs[0] }, { sku: mugs[2] }], next_after_sku: null } });
  });
});
