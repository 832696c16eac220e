/**
 * Whether D1 takes writes, as this isolate has last seen it, shared by every object the isolate runs. When
 * one object's write to D1 fails, the others stop trying for a while (from 250 ms, doubling to 10 s) rather
 * than each finding out with a write of its own, and then one write at a time probes whether D1 is back.
 * An object that is told to wait leaves its moves in its outbox and points its alarm past the wait: a sale
 * never waits on D1, and D1 is not asked again by every object at once when it comes back.
 *
 * In production the objects of many isolates each keep their own breaker; within each, the objects back
 * off together. Each object's own backoff (schedule.ts) still bounds how often it tries.
 */
export const D1_BREAKER = { firstMs: 250, maxMs: 10_000, probeMs: 5_000 } as const;

export class Breaker {
  /** Failures since the last success, not counting those during a wait already begun. */
  private failures = 0;
  private openUntilMs = 0;
  /** While one write probes D1 after a wait, the others wait for its answer (at most this long). */
  private probeUntilMs = 0;

  constructor(private readonly policy: { firstMs: number; maxMs: number; probeMs: number } = D1_BREAKER) {}

  /** `null` when a write may go now (the one probe, after a wait); otherwise the time to try again. */
  waitUntil(nowMs: number): number | null {
    if (this.failures === 0) return null;
    if (nowMs < this.openUntilMs) return this.openUntilMs;
    if (nowMs < this.probeUntilMs) return this.probeUntilMs;
    this.probeUntilMs = nowMs + this.policy.probeMs;
    return null;
  }

  failed(nowMs: number): void {
    // Writes that were already out when D1 first failed say nothing new: the wait has begun.
    if (nowMs < this.openUntilMs) return;
    this.failures += 1;
    this.openUntilMs = nowMs + Math.min(this.policy.maxMs, this.policy.firstMs * 2 ** (this.failures - 1));
    this.probeUntilMs = 0;
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntilMs = 0;
    this.probeUntilMs = 0;
  }
}

/** The isolate's breaker for writes to the D1 read model. */
export const d1Writes = new Breaker();
