// The pure rules behind stock events and webhook retries.
import { describe, expect, it } from "vitest";
import { afterAttempt, RETRY_DELAYS_MS } from "../../durable-objects/domain/delivery-policy";
import { eventsOf, eventTypesOf } from "../../durable-objects/domain/stock-events";

describe("eventTypesOf: the boundaries a move carried available across", () => {
  it.each([
    [3, 0, null, ["stock.out_of_stock", "stock.changed"]],
    [0, 2, null, ["stock.back_in_stock", "stock.changed"]],
    [0, 0, null, ["stock.changed"]],
    [5, 2, null, ["stock.changed"]],
    [5, 2, 2, ["stock.low", "stock.changed"]],
    [5, 3, 2, ["stock.changed"]],
    [2, 1, 2, ["stock.changed"]],
    [5, 0, 2, ["stock.out_of_stock", "stock.changed"]],
    [0, 1, 2, ["stock.back_in_stock", "stock.changed"]],
    [1, 0, 0, ["stock.out_of_stock", "stock.changed"]],
    [4, 1, 0, ["stock.changed"]],
  ] as const)("from %i to %i with threshold %s: %j", (before, after, threshold, types) => {
    expect(eventTypesOf(before, after, threshold)).toEqual(types);
  });

  it("names each event <sku>:<seq>:<type> and carries the stock after the move", () => {
    const move = {
      sku: "TEE-RED-M",
      seq: 7,
      type: "adjusted" as const,
      quantity: -3,
      on_hand: 4,
      reserved: 1,
      committed: 1,
      available: 2,
      reservation_id: null,
      order_id: null,
      reason: "damaged",
      ref: null,
      at: "2026-11-26T10:00:00.000Z",
      location: "default",
      to_location: null,
      incoming_id: null,
      incoming: 0,
      actor: null,
    };
    const [low, changed] = eventsOf(move, 5, 2);
    expect(low).toEqual({
      id: "TEE-RED-M:7:stock.low",
      type: "stock.low",
      sku: "TEE-RED-M",
      seq: 7,
      at: move.at,
      stock: { sku: "TEE-RED-M", on_hand: 4, reserved: 1, committed: 1, available: 2, version: 7, updated_at: move.at },
      low_stock_threshold: 2,
      move,
    });
    expect(changed!.id).toBe("TEE-RED-M:7:stock.changed");
  });
});

describe("afterAttempt: the Standard Webhooks retry schedule", () => {
  it("is delivered by any 2xx, and only by a 2xx", () => {
    expect(afterAttempt(1, 204, 0)).toEqual({ status: "delivered", next_attempt_at_ms: null });
    expect(afterAttempt(1, 301, 0).status).toBe("pending");
    expect(afterAttempt(1, null, 0).status).toBe("pending");
  });

  it("waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up after the eighth attempt, over 24 h in", () => {
    const waits = RETRY_DELAYS_MS.map((_, i) => afterAttempt(i + 1, 500, 0).next_attempt_at_ms);
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b)).toBeGreaterThan(24 * 3_600_000);
    expect(afterAttempt(8, 500, 0)).toEqual({ status: "failed", next_attempt_at_ms: null });
  });
});
