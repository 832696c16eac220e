/**
 * Owns one SKU's `settings`: its low_stock_threshold (contract v1.1) and (v1.2) its backorder policy.
 * Settings are not stock: they move no unit and have no seq, so they live beside the ledger, and reach D1
 * through the projector's own flag.
 */
import type { StockPolicy } from "../domain/policy";

export interface Settings extends StockPolicy {
  low_stock_threshold: number | null;
  /** (v1.2) Whether this SKU is a bundle: then it has no stock of its own. Set by the bundle registry only. */
  bundle: boolean;
  updated_at_ms: number | null;
}

/** A PUT's fields; one left out keeps its value. */
export type SettingsPatch = Partial<Omit<Settings, "updated_at_ms">>;

export const NO_SETTINGS: Settings = Object.freeze({
  low_stock_threshold: null,
  backorder_limit: 0,
  preorder: false,
  bundle: false,
  updated_at_ms: null,
});

interface SettingsRow {
  low_stock_threshold: number | null;
  backorder_limit: number;
  preorder: number;
  bundle: number;
  updated_at_ms: number;
  [column: string]: SqlStorageValue;
}

export class SettingsStore {
  /** The row, kept in memory while the object lives (every move records the threshold); `forget` drops it. */
  private cached: Settings | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly exists: () => boolean,
  ) {}

  current(): Settings {
    if (!this.exists()) return NO_SETTINGS;
    this.cached ??= this.read();
    return this.cached;
  }

  /** The backorder policy holds are decided under. */
  policy(): StockPolicy {
    const { backorder_limit, preorder } = this.current();
    return { backorder_limit, preorder };
  }

  forget(): void {
    this.cached = undefined;
  }

  private read(): Settings {
    const row = this.sql
      .exec<SettingsRow>("SELECT low_stock_threshold, backorder_limit, preorder, bundle, updated_at_ms FROM settings")
      .toArray()[0];
    if (!row) return NO_SETTINGS;
    return {
      low_stock_threshold: row.low_stock_threshold,
      backorder_limit: row.backorder_limit,
      preorder: row.preorder === 1,
      bundle: row.bundle === 1,
      updated_at_ms: row.updated_at_ms,
    };
  }

  /** Inside the caller's transaction. */
  put(patch: SettingsPatch, nowMs: number): Settings {
    const next: Settings = { ...this.current(), ...definedOf(patch), updated_at_ms: nowMs };
    this.sql.exec(
      `INSERT INTO settings (id, low_stock_threshold, backorder_limit, preorder, bundle, updated_at_ms) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET low_stock_threshold = excluded.low_stock_threshold,
         backorder_limit = excluded.backorder_limit, preorder = excluded.preorder, bundle = excluded.bundle,
         updated_at_ms = excluded.updated_at_ms`,
      next.low_stock_threshold,
      next.backorder_limit,
      next.preorder ? 1 : 0,
      next.bundle ? 1 : 0,
      nowMs,
    );
    this.cached = next;
    return next;
  }
}

const definedOf = (patch: SettingsPatch): SettingsPatch =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
