/**
 * GET /v1/admin/health (v1.2 addition): what an operator needs to see that something falls behind, read
 * without scanning every object. SKUs' outboxes report themselves to the catalog when their retries start
 * and when they catch up; health lists those behind for over 30 s and asks only their objects what they
 * still have to send (a report that was lost, for an outbox that has caught up, is mended here). Webhooks
 * are at most 100, listed by D1, each asked for its counts.
 */
import { isoInstant } from "../durable-objects/domain/contract";
import type { Lagging } from "../durable-objects/catalog/lagging";
import { catalogAt, describeError, productAt, webhookAt } from "../durable-objects/shared/calls";
import { clock } from "../durable-objects/shared/clock";
import type { Env } from "./env";

/** An outbox behind for longer than this is reported. */
export const LAGGING_AFTER_MS = 30_000;
/** Lagging outboxes listed, the longest behind first; `total` counts them all. */
const LISTED = 100;

export interface Health {
  status: "ok" | "degraded";
  checked_at: string;
  d1: { answers: boolean; latency_ms: number; error: string | null };
  projection: { newest_move_at: string | null; newest_move_projected_at: string | null; newest_move_age_seconds: number | null };
  lagging: { total: number; outboxes: LaggingOutboxView[] };
  webhooks: { id: string; url: string; pending: number; failed: number }[] | null;
}

interface LaggingOutboxView {
  sku: string;
  outbox: Lagging["outbox"];
  behind_since: string;
  behind_seconds: number;
  pending_moves: number;
}

export async function healthOf(env: Env): Promise<Health> {
  const now = clock.now();
  const [d1, lagging] = await Promise.all([readD1(env.DB, now), laggingOutboxes(env, now)]);
  const webhooks = d1.answers ? await webhookBacklogs(env) : null;
  return {
    status: d1.answers && lagging.total === 0 ? "ok" : "degraded",
    checked_at: isoInstant(now),
    d1: { answers: d1.answers, latency_ms: d1.latency_ms, error: d1.error },
    projection: d1.projection,
    lagging,
    webhooks,
  };
}

/** Whether D1 answers, and the newest move it holds: the last by cursor, one step down the primary key. */
async function readD1(db: D1Database, now: number) {
  const started = Date.now();
  try {
    const newest = await db
      .prepare("SELECT at, projected_at FROM moves ORDER BY cursor DESC LIMIT 1")
      .first<{ at: string; projected_at: string | null }>();
    return {
      answers: true,
      latency_ms: Date.now() - started,
      error: null,
      projection: {
        newest_move_at: newest?.at ?? null,
        newest_move_projected_at: newest?.projected_at ?? null,
        newest_move_age_seconds: newest ? Math.max(0, Math.round((now - Date.parse(newest.at)) / 1000)) : null,
      },
    };
  } catch (err) {
    return {
      answers: false,
      latency_ms: Date.now() - started,
      error: describeError(err),
      projection: { newest_move_at: null, newest_move_projected_at: null, newest_move_age_seconds: null },
    };
  }
}

async function laggingOutboxes(env: Env, now: number): Promise<Health["lagging"]> {
  const catalog = catalogAt(env);
  const { rows, total } = await catalog.lagging(now - LAGGING_AFTER_MS, LISTED);
  const checked = await Promise.all(
    rows.map(async (row) => {
      const product = productAt(env, row.sku);
      const pending = row.outbox === "projection" ? await product.pendingProjection() : await product.pendingEvents();
      if (pending === 0) await catalog.caughtUp(row.sku, row.outbox);
      return { row, pending };
    }),
  );
  const behind = checked.filter((c) => c.pending > 0);
  return {
    total: total - (checked.length - behind.length),
    outboxes: behind.map(({ row, pending }) => ({
      sku: row.sku,
      outbox: row.outbox,
      behind_since: isoInstant(row.since_ms),
      behind_seconds: Math.round((now - row.since_ms) / 1000),
      pending_moves: pending,
    })),
  };
}

async function webhookBacklogs(env: Env): Promise<Health["webhooks"]> {
  try {
    const { results } = await env.DB.prepare("SELECT id, url FROM webhooks ORDER BY id").all<{ id: string; url: string }>();
    return await Promise.all(results.map(async ({ id, url }) => ({ id, url, ...(await webhookAt(env, id).backlog()) })));
  } catch (err) {
    console.error(`health: reading the webhooks failed: ${describeError(err)}`);
    return null;
  }
}
