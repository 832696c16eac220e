// InventoryService seen from a second Worker bound to it, as a checkout is: only the documented methods
// answer. Every other name the class has, owns or inherits (admin operations, helpers, the base class's
// members, Object's) is tried over the binding and must not run.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { InventoryService } from "../../src/rpc";
import { operations } from "../../src/operations";

/** The methods docs/API.md lists for the entrypoint. */
const DOCUMENTED = [
  "getProduct", "receive", "adjust", "transfer", "listProductMoves", "count", "counts", "getSettings", "putSettings",
  "putReservation", "getReservation", "deleteReservation", "commitReservation", "getOrder", "fulfilOrder",
  "cancelOrder", "returnOrder", "listStock", "listMoves", "dailyReport", "listReservations", "listOrders", "listLocations", "getLocation",
  "putIncoming", "getIncoming", "listIncoming", "cancelIncoming", "putBundle", "getBundle", "deleteBundle",
];

function namesUpTheChain(prototype: object | null): string[] {
  const names = new Set<string>();
  for (let p = prototype; p; p = Object.getPrototypeOf(p)) for (const name of Object.getOwnPropertyNames(p)) names.add(name);
  return [...names];
}

const binding = env.INVENTORY as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

/** What calling `name` over the binding did: threw, or answered something. */
async function tryName(name: string, ...args: unknown[]): Promise<{ threw: boolean; value?: unknown }> {
  try {
    const member = binding[name];
    if (typeof member !== "function") return { threw: true };
    return { threw: false, value: await member.apply(binding, args) };
  } catch {
    return { threw: true };
  }
}

describe("the InventoryService entrypoint over a service binding", () => {
  it("has exactly the documented methods on its class", () => {
    expect(Object.getOwnPropertyNames(InventoryService.prototype).filter((n) => n !== "constructor").sort()).toEqual(
      [...DOCUMENTED].sort(),
    );
  });

  it("runs no admin operation and no helper, whatever name is tried", async () => {
    const admin = Object.entries(operations).filter(([, op]) => op.scope === "admin").map(([name]) => name);
    expect(admin).toEqual(expect.arrayContaining(["createWebhook", "resetReadModel", "rebuildReadModel"]));
    const tried = new Set([
      ...namesUpTheChain(InventoryService.prototype),
      ...Object.keys(operations),
      "call", "serviceCall", "env", "ctx", "fetch", "connect", "queue", "scheduled", "alarm",
    ]);
    const webhook = { body: { url: "https://hooks.invalid/x", events: ["stock.changed"] } };
    for (const name of tried) {
      if (DOCUMENTED.includes(name)) continue;
      // The old private helper took (operation name, raw input); admin operations take a raw input or a body.
      const attempts = [await tryName(name, "createWebhook", webhook), await tryName(name, webhook.body), await tryName(name, {})];
      for (const outcome of attempts) {
        expect(JSON.stringify(outcome.value ?? null), name).not.toContain("whsec_");
        if (!outcome.threw) expect(outcome.value, name).not.toMatchObject({ ok: true });
      }
    }
  });

  it("still answers a documented method", async () => {
    const sku = `SURFACE-${Date.now().toString(36)}`;
    expect(await env.INVENTORY.receive(sku, { quantity: 1 })).toMatchObject({ ok: true, value: { stock: { on_hand: 1 } } });
  });

  it("(v1.2) records the name its binding passes (props.actor) on the moves it makes", async () => {
    const sku = `ACTOR-${Date.now().toString(36)}`;
    const received = await env.INVENTORY.receive(sku, { quantity: 2 });
    expect(received).toMatchObject({ ok: true, value: { move: { actor: "checkout" } } });
  });
});
