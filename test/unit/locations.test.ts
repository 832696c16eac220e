// The location registry's rules: default always there and active, at most 100, allocation order.
import { describe, expect, it } from "vitest";
import {
  byPriority,
  decideLocationPut,
  IMPLICIT_DEFAULT,
  MAX_LOCATIONS,
  withDefault,
  type Location,
} from "../../durable-objects/domain/locations";

const input = { name: "Warehouse", priority: 100, active: true };
const stored = (id: string, priority: number): Location => ({ ...IMPLICIT_DEFAULT, id, name: id, priority, created_at: "x", updated_at: "x" });

describe("decideLocationPut", () => {
  it("given 98 locations besides default, when a 99th is put, then it is stored", () => {
    expect(decideLocationPut("wh-99", false, 98, input)).toEqual({ ok: true });
  });

  it("given 99 besides default, when a new one is put, then it is refused: default is the hundredth", () => {
    expect(decideLocationPut("wh-100", false, MAX_LOCATIONS - 1, input)).toEqual({ ok: false, refusal: { code: "too_many", limit: 100 } });
  });

  it("given 99 besides default, when one of them is replaced, then it is stored", () => {
    expect(decideLocationPut("wh-1", true, MAX_LOCATIONS - 1, input)).toEqual({ ok: true });
  });

  it("given default, when it is made inactive, then it is refused; renamed or moved in priority, it is stored", () => {
    expect(decideLocationPut("default", false, 0, { ...input, active: false })).toEqual({ ok: false, refusal: { code: "default_inactive" } });
    expect(decideLocationPut("default", true, 99, { ...input, priority: 5 })).toEqual({ ok: true });
  });
});

describe("allocation order", () => {
  it("is priority, then id, with default at its priority whether written or not", () => {
    const order = withDefault([stored("b", 10), stored("a", 10), stored("z", 500)]).map((l) => l.id);
    expect(order).toEqual(["a", "b", "default", "z"]);
    expect(withDefault([{ ...stored("default", 1), name: "Main" }, stored("a", 0)]).map((l) => [l.id, l.name])).toEqual([
      ["a", "a"],
      ["default", "Main"],
    ]);
    expect([stored("y", 3), stored("x", 3)].sort(byPriority).map((l) => l.id)).toEqual(["x", "y"]);
  });
});
