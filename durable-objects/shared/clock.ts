/**
 * Every "now" the objects read comes from here, so tests move time forward instead of sleeping on the
 * real clock. Alarms still ring on the platform's clock; a test that moved time rings them itself
 * (`runDurableObjectAlarm`).
 */
let offsetMs = 0;

export const clock = {
  now: (): number => Date.now() + offsetMs,
};

/** Test seam: moves "now" forward by `ms` for every object in this isolate. */
export function advanceClock(ms: number): void {
  offsetMs += ms;
}

/** Test seam: back to the real clock. */
export function resetClock(): void {
  offsetMs = 0;
}
