// What fulfil, cancel and return may take of an order's lines, and the totals they lead to.
// outstanding = committed − fulfilled − cancelled; returnable = fulfilled − returned.
import { describe, expect, it } from "vitest";
import type { OrderLine, SkuQuantity } from "../../durable-objects/domain/contract";
import { planOrderAction, type OrderAction } from "../../durable-objects/domain/order-lines";

/** A line all at `default`. */
const line = (sku: string, committed: number, fulfilled = 0, cancelled = 0, returned = 0): OrderLine => ({
  sku,
  committed,
  fulfilled,
  cancelled,
  returned,
  allocations: [{ location: "default", committed, fulfilled, cancelled, returned }],
});

const given = (lines: OrderLine[]) => ({
  when: (action: OrderAction, requested?: SkuQuantity[]) => {
    const plan = planOrderAction(lines, action, requested);
    return {
      then: (after: OrderLine[], changed: string[]) =>
        expect(plan).toEqual({ ok: true, lines: after, changed, locations: expect.any(Map) }),
      thenRefuses: (excess: Array<{ sku: string; requested: number; allowed: number }>) =>
        expect(plan).toEqual({ ok: false, excess }),
    };
  },
});

describe("fulfil", () => {
  it("without lines ships every outstanding unit", () => {
    given([line("A", 3, 1), line("B", 2, 0, 2)]).when("fulfil").then([line("A", 3, 3), line("B", 2, 0, 2)], ["A"]);
  });

  it("with lines ships only those", () => {
    given([line("A", 3), line("B", 2)]).when("fulfil", [{ sku: "B", quantity: 1 }]).then([line("A", 3), line("B", 2, 1)], ["B"]);
  });

  it("refuses more than is outstanding, and a SKU the order lacks, naming every line over its allowance", () => {
    given([line("A", 3, 1, 1)])
      .when("fulfil", [{ sku: "A", quantity: 2 }, { sku: "X", quantity: 1 }])
      .thenRefuses([{ sku: "A", requested: 2, allowed: 1 }, { sku: "X", requested: 1, allowed: 0 }]);
  });

  it("with nothing outstanding changes nothing", () => {
    given([line("A", 2, 2)]).when("fulfil").then([line("A", 2, 2)], []);
  });
});

describe("cancel", () => {
  it("without lines returns every outstanding unit", () => {
    given([line("A", 4, 1)]).when("cancel").then([line("A", 4, 1, 3)], ["A"]);
  });
});

describe("return", () => {
  it("takes back up to fulfilled − returned", () => {
    given([line("A", 4, 3, 0, 1)]).when("return", [{ sku: "A", quantity: 2 }]).then([line("A", 4, 3, 0, 3)], ["A"]);
  });

  it("refuses more than was fulfilled and not yet returned", () => {
    given([line("A", 4, 3, 0, 1)]).when("return", [{ sku: "A", quantity: 3 }]).thenRefuses([{ sku: "A", requested: 3, allowed: 2 }]);
  });
});
