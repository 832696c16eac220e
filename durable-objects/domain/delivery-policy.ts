/**
 * When a webhook delivery is tried again, and when it is given up: the Standard Webhooks schedule. Eight
 * attempts: at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, about 27.6 h in all, so an
 * endpoint that is down for a whole day still gets every event.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** An endpoint that has not answered by then has failed this attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface AfterAttempt {
  status: DeliveryStatus;
  /** When to try again; null once delivered or failed. */
  next_attempt_at_ms: number | null;
}

/** Only a 2xx answer delivers. */
export const delivered = (statusCode: number | null): boolean => statusCode !== null && statusCode >= 200 && statusCode < 300;

/** What becomes of a delivery after its `attempts`-th attempt, answered with `statusCode` (null: no answer). */
export function afterAttempt(attempts: number, statusCode: number | null, nowMs: number): AfterAttempt {
  if (delivered(statusCode)) return { status: "delivered", next_attempt_at_ms: null };
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? { status: "failed", next_attempt_at_ms: null } : { status: "pending", next_attempt_at_ms: nowMs + delay };
}
