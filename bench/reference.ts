// Reference implementations for `npm run bench`: the smallest code each topology allows, measured in the same
// run as stockwell, so that a ratio says how much of the topology's own cost stockwell adds. Not part of the
// service: they check stock and write the ledger and nothing else (no idempotency, deadlines, projection).
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

export interface ReferenceEnv {
  MIN_PRODUCT: DurableObjectNamespace<MinProduct>;
  MIN_RESERVATION: DurableObjectNamespace<MinReservation>;
}

const minProduct = (env: ReferenceEnv, sku: string) => env.MIN_PRODUCT.get(env.MIN_PRODUCT.idFromName(sku));

/** The smallest product object: one transactionSync that reads the snapshot, appends a move and updates it. */
export class MinProduct extends DurableObject<ReferenceEnv> {
  constructor(ctx: DurableObjectState, env: ReferenceEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS moves (seq INTEGER PRIMARY KEY, reservation_id TEXT, quantity INTEGER NOT NULL,
                                        on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), on_hand INTEGER NOT NULL,
                                           reserved INTEGER NOT NULL, version INTEGER NOT NULL);`);
  }

  async receive(quantity: number): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO snapshot (id, on_hand, reserved, version) VALUES (1, ?, 0, 0)
       ON CONFLICT (id) DO UPDATE SET on_hand = on_hand + excluded.on_hand`,
      quantity,
    );
  }

  /** Holds `quantity` more for a reservation, if available. */
  async hold(reservationId: string, quantity: number): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const s = sql.exec<{ on_hand: number; reserved: number; version: number }>("SELECT * FROM snapshot").one();
      if (s.on_hand - s.reserved < quantity) return false;
      sql.exec(
        "INSERT INTO moves (seq, reservation_id, quantity, on_hand, reserved) VALUES (?, ?, ?, ?, ?)",
        s.version + 1,
        reservationId,
        quantity,
        s.on_hand,
        s.reserved + quantity,
      );
      sql.exec("UPDATE snapshot SET reserved = reserved + ?, version = version + 1", quantity);
      return true;
    });
  }
}

/**
 * The smallest crash-safe coordinator: it writes its intent (durable before any product acts on it: the
 * output gate holds the call until the write is stored), calls the products, then writes its record and
 * clears the intent in one transaction.
 */
export class MinReservation extends DurableObject<ReferenceEnv> {
  constructor(ctx: DurableObjectState, env: ReferenceEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS intent (id INTEGER PRIMARY KEY CHECK (id = 1), payload TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS record (id INTEGER PRIMARY KEY CHECK (id = 1), lines TEXT NOT NULL);`);
  }

  /** Holds one more unit of each SKU (the benchmark never runs short, so there is no roll-back). */
  async put(id: string, skus: string[]): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    const payload = JSON.stringify(skus);
    sql.exec("INSERT INTO intent (id, payload) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload", payload);
    const held = await Promise.all(skus.map((sku) => minProduct(this.env, sku).hold(id, 1)));
    const ok = held.every(Boolean);
    this.ctx.storage.transactionSync(() => {
      if (ok) sql.exec("INSERT INTO record (id, lines) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET lines = excluded.lines", payload);
      sql.exec("DELETE FROM intent");
    });
    return ok;
  }
}

/**
 * The smallest entrypoint in front of the minimal path: a checkout Worker reaches a coordinator through a
 * service binding's entrypoint, so the path as a checkout sees it pays this hop whatever the code behind it.
 */
export class MinService extends WorkerEntrypoint<ReferenceEnv> {
  put(id: string, skus: string[]): Promise<boolean> {
    return this.env.MIN_RESERVATION.get(this.env.MIN_RESERVATION.idFromName(id)).put(id, skus);
  }
}
