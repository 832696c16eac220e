// The isolate's D1 breaker: once a write fails, others wait, doubling, and one probe at a time asks again.
import { describe, expect, it } from "vitest";
import { Breaker } from "../../durable-objects/shared/d1-breaker";

const policy = { firstMs: 250, maxMs: 1_000, probeMs: 5_000 };

describe("D1 breaker", () => {
  it("lets every write go while D1 has not failed", () => {
    const breaker = new Breaker(policy);
    expect(breaker.waitUntil(0)).toBeNull();
    expect(breaker.waitUntil(0)).toBeNull();
  });

  it("after a failure, holds writes back, then lets exactly one probe through", () => {
    const breaker = new Breaker(policy);
    breaker.failed(1_000);
    expect(breaker.waitUntil(1_100)).toBe(1_250);
    expect(breaker.waitUntil(1_250)).toBeNull();
    // The probe is out: the others wait for its answer.
    expect(breaker.waitUntil(1_260)).toBe(6_250);
  });

  it("doubles the wait for each failed probe, up to the most, and ignores failures within a wait", () => {
    const breaker = new Breaker(policy);
    breaker.failed(0);
    breaker.failed(100); // a write that was already out
    expect(breaker.waitUntil(100)).toBe(250);
    breaker.failed(250);
    expect(breaker.waitUntil(250)).toBe(750);
    breaker.failed(750);
    expect(breaker.waitUntil(750)).toBe(1_750);
    breaker.failed(1_750);
    expect(breaker.waitUntil(1_750)).toBe(2_750);
  });

  it("closes on any success", () => {
    const breaker = new Breaker(policy);
    breaker.failed(0);
    breaker.succeeded();
    expect(breaker.waitUntil(1)).toBeNull();
    expect(breaker.waitUntil(2)).toBeNull();
  });
});
