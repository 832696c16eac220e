/**
 * The catalog: one object listing every SKU that has a ledger. Durable Objects cannot be enumerated, and a
 * rebuild of D1 cannot ask D1 which SKUs exist, so each SKU registers here on its first flush (once). It
 * also lists the SKUs whose outbox is behind, as they report it (see lagging.ts), for health.
 */
import { DurableObject } from "cloudflare:workers";
import { succeed, type Outcome } from "../domain/contract";
import type { ObjectBindings } from "../bindings";
import { LazySchema, type Schema } from "../shared/migrate";
import { clock } from "../shared/clock";
import { LAGGING_STEP, laggingSince, noteBehind, noteCaughtUp, type Lagging, type LaggingOutbox } from "./lagging";

const CATALOG_SCHEMA: Schema = {
  parts: [
    {
      owner: "catalog",
      steps: [`CREATE TABLE skus (sku TEXT PRIMARY KEY, registered_at_ms INTEGER NOT NULL) WITHOUT ROWID;`, LAGGING_STEP],
    },
  ],
  legacy: { owner: "catalog", included: [] },
};

export interface SkuPage {
  skus: string[];
  next_after_sku: string | null;
}

export class Catalog extends DurableObject<ObjectBindings> {
  private readonly schema: LazySchema;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = new LazySchema(ctx.storage, CATALOG_SCHEMA);
  }

  async register(sku: string): Promise<Outcome<{ sku: string }>> {
    this.schema.ensure();
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO skus (sku, registered_at_ms) VALUES (?, ?)", sku, clock.now());
    return succeed({ sku });
  }

  async list(afterSku: string, limit: number): Promise<Outcome<SkuPage>> {
    if (!this.schema.exists) return succeed({ skus: [], next_after_sku: null });
    const rows = this.ctx.storage.sql
      .exec<{ sku: string }>("SELECT sku FROM skus WHERE sku > ? ORDER BY sku LIMIT ?", afterSku, limit + 1)
      .toArray();
    const skus = rows.slice(0, limit).map((r) => r.sku);
    return succeed({ skus, next_after_sku: rows.length > limit ? skus[skus.length - 1]! : null });
  }

  async behind(sku: string, outbox: LaggingOutbox, sinceMs: number): Promise<void> {
    this.schema.ensure();
    noteBehind(this.ctx.storage.sql, { sku, outbox, since_ms: sinceMs });
  }

  async caughtUp(sku: string, outbox: LaggingOutbox): Promise<void> {
    if (this.schema.exists) noteCaughtUp(this.ctx.storage.sql, sku, outbox);
  }

  /** The outboxes behind since `beforeMs` or earlier, longest first, at most `limit`, and their number. */
  async lagging(beforeMs: number, limit: number): Promise<{ rows: Lagging[]; total: number }> {
    if (!this.schema.exists) return { rows: [], total: 0 };
    return laggingSince(this.ctx.storage.sql, beforeMs, limit);
  }
}
