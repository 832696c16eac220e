// (v1.2) Reading API_TOKENS: the v1.1 list and the JSON array, and every configuration refused as a whole.
import { describe, expect, it } from "vitest";
import { parseTokenConfig } from "../../src/http/tokens";

const named = (entries: unknown[]) => parseTokenConfig(JSON.stringify(entries));

describe("API_TOKENS", () => {
  it("reads the v1.1 list, each token named after its scope, spaces trimmed", () => {
    expect(parseTokenConfig(" read:r1 , write : w1,admin:a1,")).toEqual({
      ok: true,
      tokens: [
        { name: "read", scope: "read", token: "r1", skuPrefix: null },
        { name: "write", scope: "write", token: "w1", skuPrefix: null },
        { name: "admin", scope: "admin", token: "a1", skuPrefix: null },
      ],
    });
  });

  it("reads the JSON array with names and seller prefixes", () => {
    expect(
      named([
        { name: "ops:alice", scope: "write", token: "t-alice" },
        { name: "seller-7", scope: "read", token: "t-7", sku_prefix: "S7-" },
      ]),
    ).toEqual({
      ok: true,
      tokens: [
        { name: "ops:alice", scope: "write", token: "t-alice", skuPrefix: null },
        { name: "seller-7", scope: "read", token: "t-7", skuPrefix: "S7-" },
      ],
    });
  });

  // Every token below holds SECRET, so a problem that quoted one would show it.
  it.each([
    ["not JSON", "[{name: alice, token: SECRET-1}]"],
    ["not an array", JSON.stringify({ name: "a", scope: "read", token: "SECRET-1" })],
    ["an unknown scope", JSON.stringify([{ name: "a", scope: "owner", token: "SECRET-1" }])],
    ["a missing token", JSON.stringify([{ name: "a", scope: "read" }])],
    ["an empty token", JSON.stringify([{ name: "a", scope: "read", token: "" }])],
    ["a token with a space", JSON.stringify([{ name: "a", scope: "read", token: "SECRET two" }])],
    ["a name with a space", JSON.stringify([{ name: "a b", scope: "read", token: "SECRET-1" }])],
    ["a name of 65 characters", JSON.stringify([{ name: "n".repeat(65), scope: "read", token: "SECRET-1" }])],
    ["an unknown field", JSON.stringify([{ name: "a", scope: "read", token: "SECRET-1", role: "x" }])],
    ["a prefix no SKU can start with", JSON.stringify([{ name: "a", scope: "read", token: "SECRET-1", sku_prefix: "-S1" }])],
    ["the same token twice", JSON.stringify([{ name: "a", scope: "read", token: "SECRET-1" }, { name: "b", scope: "admin", token: "SECRET-1" }])],
    ["the same name twice", JSON.stringify([{ name: "a", scope: "read", token: "SECRET-1" }, { name: "a", scope: "read", token: "SECRET-2" }])],
    ["the name system", JSON.stringify([{ name: "system", scope: "write", token: "SECRET-1" }])],
    ["the name rpc", JSON.stringify([{ name: "rpc", scope: "write", token: "SECRET-1" }])],
    ["a v1.1 entry without a scope", "read:SECRET-1,SECRET-2"],
    ["a v1.1 entry with an unknown scope", "read:SECRET-1,owner:SECRET-2"],
    ["a v1.1 token listed twice", "read:SECRET-1,admin:SECRET-1"],
  ])("refuses %s as a whole, naming the entry but never its token", (_case, source) => {
    const config = parseTokenConfig(source);
    expect(config.ok).toBe(false);
    if (config.ok) return;
    expect(config.problems.length).toBeGreaterThan(0);
    expect(config.problems.join("\n")).toMatch(/API_TOKENS/);
    expect(config.problems.join("\n")).not.toContain("SECRET");
  });
});
