/**
 * The bundle registry (contract v1.2): one object holding every bundle's definition. The edge keeps a copy for
 * a few seconds and expands a cart's bundle lines into components before the reservation is called, so no
 * SKU's transaction ever waits on a definition. The bundle SKU's own object keeps the other half, the flag
 * that it has no stock: set here before a definition is stored, and decided with its ledger, so a SKU with
 * moves never becomes a bundle. D1 hears of definitions from here (`bundle_components`), retried by alarm.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import { decideBundlePut, type BundleRefusal, type Component } from "../domain/bundles";
import { fail, isoInstant, succeed, type Outcome } from "../domain/contract";
import { describeError, productAt } from "../shared/calls";
import { clock } from "../shared/clock";
import { LazySchema, type Schema } from "../shared/migrate";
import { SerialQueue } from "../shared/serial";

const BUNDLE_REGISTRY_SCHEMA: Schema = {
  parts: [
    {
      owner: "bundle_registry",
      steps: [
        // `components` null: deleted, kept until D1 has heard of it. `projected` 0: D1 has not.
        `
        CREATE TABLE bundles (
          sku           TEXT    PRIMARY KEY,
          components    TEXT,
          projected     INTEGER NOT NULL DEFAULT 0 CHECK (projected IN (0, 1)),
          revision      INTEGER NOT NULL DEFAULT 1,
          created_at_ms INTEGER NOT NULL,
          updated_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        `,
      ],
    },
  ],
};

/** A bundle as the API shows it. */
export interface Bundle {
  sku: string;
  components: Component[];
  created_at: string;
  updated_at: string;
}

interface BundleRow {
  sku: string;
  components: string | null;
  projected: number;
  revision: number;
  created_at_ms: number;
  updated_at_ms: number;
  [column: string]: SqlStorageValue;
}

const RETRY_MS = 5_000;

const view = (row: BundleRow): Bundle => ({
  sku: row.sku,
  components: JSON.parse(row.components!) as Component[],
  created_at: isoInstant(row.created_at_ms),
  updated_at: isoInstant(row.updated_at_ms),
});

function refusalMessage(sku: string, refusal: BundleRefusal): string {
  switch (refusal.code) {
    case "component_is_bundle":
      return `${refusal.sku} is a bundle, and a bundle's components may not be bundles`;
    case "bundle_is_component":
      return `${sku} is a component of the bundle ${refusal.of}, so it cannot be a bundle`;
    case "own_component":
      return `${sku} cannot be a component of itself`;
  }
}

export class BundleRegistry extends DurableObject<ObjectBindings> {
  private readonly schema: LazySchema;
  /** A PUT or DELETE calls the bundle SKU's object between its check and its write: one at a time. */
  private readonly writes = new SerialQueue();

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = new LazySchema(ctx.storage, BUNDLE_REGISTRY_SCHEMA);
  }

  /** Every bundle, by SKU. Creates nothing. */
  async list(): Promise<Outcome<{ items: Bundle[] }>> {
    return succeed({ items: this.rows().map(view) });
  }

  async get(sku: string): Promise<Outcome<Bundle>> {
    const row = this.rows().find((r) => r.sku === sku);
    return row ? succeed(view(row)) : fail("not_found", `no bundle ${sku}`);
  }

  /** Creates (`created`) or replaces a definition. Reservations and orders keep the components they were made with. */
  async put(sku: string, components: Component[]): Promise<Outcome<Bundle>> {
    return this.writes.run(async () => {
      const rows = this.rows();
      const others = new Map(rows.filter((r) => r.sku !== sku).map((r) => [r.sku, view(r).components]));
      const refusal = decideBundlePut(sku, components, others);
      if (refusal) return fail("conflict", refusalMessage(sku, refusal));
      const marked = await productAt(this.env, sku).markBundle(sku, true);
      if (!marked.ok) return marked;
      const existing = rows.find((r) => r.sku === sku);
      const now = clock.now();
      this.schema.ensure();
      this.ctx.storage.sql.exec(
        `INSERT INTO bundles (sku, components, projected, created_at_ms, updated_at_ms) VALUES (?, ?, 0, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET components = excluded.components, projected = 0, revision = bundles.revision + 1,
           created_at_ms = CASE WHEN bundles.components IS NULL THEN excluded.created_at_ms ELSE bundles.created_at_ms END,
           updated_at_ms = excluded.updated_at_ms`,
        sku,
        JSON.stringify(components),
        now,
        now,
      );
      await this.project();
      return { ok: true, value: view(this.rows().find((r) => r.sku === sku)!), created: existing === undefined };
    });
  }

  /**
   * Deletes a definition; the SKU is then a plain SKU with no moves. Also clears the flag of a SKU a PUT marked
   * before it died, so a DELETE of a SKU that is no bundle mends that and still answers 404.
   */
  async delete(sku: string): Promise<Outcome<Bundle>> {
    return this.writes.run(async () => {
      const row = this.rows().find((r) => r.sku === sku);
      if (row) {
        this.ctx.storage.sql.exec("UPDATE bundles SET components = NULL, projected = 0, revision = revision + 1, updated_at_ms = ? WHERE sku = ?", clock.now(), sku);
      }
      const unmarked = await productAt(this.env, sku).markBundle(sku, false);
      if (!unmarked.ok) return unmarked;
      await this.project();
      return row ? succeed(view(row)) : fail("not_found", `no bundle ${sku}`);
    });
  }

  override async alarm(): Promise<void> {
    await this.project();
  }

  /** Sends D1 every definition it has not heard of; on failure the alarm tries again. */
  private async project(): Promise<void> {
    if (!this.schema.exists) return;
    const pending = this.ctx.storage.sql.exec<BundleRow>("SELECT * FROM bundles WHERE projected = 0").toArray();
    if (pending.length === 0) return;
    const db = this.env.DB;
    const statements = pending.flatMap((row) => [
      db.prepare("DELETE FROM bundle_components WHERE bundle_sku = ?").bind(row.sku),
      ...(row.components === null
        ? []
        : (JSON.parse(row.components) as Component[]).map((c) =>
            db.prepare("INSERT INTO bundle_components (bundle_sku, sku, quantity) VALUES (?, ?, ?)").bind(row.sku, c.sku, c.quantity),
          )),
    ]);
    try {
      await db.batch(statements);
    } catch (err) {
      console.warn(JSON.stringify({ event: "bundle_projection_retry", bundles: pending.length, error: describeError(err) }));
      await this.ctx.storage.setAlarm(clock.now() + RETRY_MS);
      return;
    }
    for (const row of pending) {
      // Only what was sent: a write since then is still pending.
      this.ctx.storage.sql.exec(
        "UPDATE bundles SET projected = 1 WHERE sku = ? AND revision = ?",
        row.sku,
        row.revision,
      );
      this.ctx.storage.sql.exec("DELETE FROM bundles WHERE sku = ? AND components IS NULL AND projected = 1", row.sku);
    }
  }

  private rows(): BundleRow[] {
    if (!this.schema.exists) return [];
    return this.ctx.storage.sql.exec<BundleRow>("SELECT * FROM bundles WHERE components IS NOT NULL ORDER BY sku").toArray();
  }
}
