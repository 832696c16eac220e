/**
 * Owns one SKU's `settings` (contract v1.1: its low_stock_threshold). Settings are not stock: they move no
 * unit and have no seq, so they live beside the ledger, and reach D1 through the projector's own flag.
 */
export interface Settings {
  low_stock_threshold: number | null;
  updated_at_ms: number | null;
}

export const NO_SETTINGS: Settings = Object.freeze({ low_stock_threshold: null, updated_at_ms: null });

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

  forget(): void {
    this.cached = undefined;
  }

  private read(): Settings {
    const row = this.sql
      .exec<{ low_stock_threshold: number | null; updated_at_ms: number }>("SELECT low_stock_threshold, updated_at_ms FROM settings")
      .toArray()[0];
    return row ? { low_stock_threshold: row.low_stock_threshold, updated_at_ms: row.updated_at_ms } : NO_SETTINGS;
  }

  /** Inside the caller's transaction. */
  put(lowStockThreshold: number | null, nowMs: number): Settings {
    this.sql.exec(
      `INSERT INTO settings (id, low_stock_threshold, updated_at_ms) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET low_stock_threshold = excluded.low_stock_threshold, updated_at_ms = excluded.updated_at_ms`,
      lowStockThreshold,
      nowMs,
    );
    this.cached = { low_stock_threshold: lowStockThreshold, updated_at_ms: nowMs };
    return this.cached;
  }
}
