/**
 * Retries, give-ups and refused configurations as one JSON line each, so Workers Logs (`observability` in
 * wrangler.toml) can filter them by event, SKU or object and follow an attempt count.
 */
export function logEvent(level: "warn" | "error", event: string, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ event, ...fields }));
}
