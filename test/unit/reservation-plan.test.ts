// The reservation plan: which product holds a change touches, and in which order. Growth goes first
// because only growth can be refused; everything else can never fail once growth succeeded.
import { describe, expect, it } from "vitest";
import type { SkuQuantity } from "../../durable-objects/domain/contract";
import { planChange } from "../../durable-objects/domain/reservation-plan";

const given = (held: SkuQuantity[]) => ({
  when: (wanted: SkuQuantity[]) => ({ then: (expected: ReturnType<typeof planChange>) => expect(planChange(held, wanted)).toEqual(expected) }),
});

describe("planChange", () => {
  it("holds every line of a new reservation as growth", () => {
    given([]).when([{ sku: "B", quantity: 2 }, { sku: "A", quantity: 1 }]).then({
      grow: [{ sku: "A", from: 0, to: 1 }, { sku: "B", from: 0, to: 2 }],
      shrink: [],
    });
  });

  it("grows what grows, and shrinks what shrinks, is removed, or stays (its deadline moves)", () => {
    given([{ sku: "A", quantity: 3 }, { sku: "B", quantity: 2 }, { sku: "C", quantity: 1 }])
      .when([{ sku: "A", quantity: 1 }, { sku: "C", quantity: 4 }, { sku: "D", quantity: 2 }])
      .then({
        grow: [{ sku: "C", from: 1, to: 4 }, { sku: "D", from: 0, to: 2 }],
        shrink: [{ sku: "A", from: 3, to: 1 }, { sku: "B", from: 2, to: 0 }],
      });
  });

  it("puts every line of an unchanged reservation in the second phase, so every hold's deadline is renewed", () => {
    given([{ sku: "A", quantity: 2 }]).when([{ sku: "A", quantity: 2 }]).then({
      grow: [],
      shrink: [{ sku: "A", from: 2, to: 2 }],
    });
  });

  it("releases everything when nothing is wanted", () => {
    given([{ sku: "A", quantity: 2 }]).when([]).then({ grow: [], shrink: [{ sku: "A", from: 2, to: 0 }] });
  });

  it("lists changes in SKU order, whatever the order of the lines", () => {
    const plan = planChange([], ["Z", "M", "A"].map((sku) => ({ sku, quantity: 1 })));
    expect(plan.grow.map((c) => c.sku)).toEqual(["A", "M", "Z"]);
  });
});
