/**
 * The location registry (contract v1.2): one object for the whole service, holding at most 100 locations.
 * It is read by the edge before a SKU's object is called (an unknown location is a 400 there), never inside a
 * SKU's transaction, so no SKU waits on it between its read and its write.
 */
import { DurableObject } from "cloudflare:workers";
import type { ObjectBindings } from "../bindings";
import { fail, isoInstant, succeed, type Outcome } from "../domain/contract";
import {
  decideLocationPut,
  DEFAULT_LOCATION,
  withDefault,
  type Location,
  type LocationInput,
} from "../domain/locations";
import { clock } from "../shared/clock";
import { LazySchema, type Schema } from "../shared/migrate";

const LOCATION_REGISTRY_SCHEMA: Schema = {
  parts: [
    {
      owner: "location_registry",
      steps: [
        `
        CREATE TABLE locations (
          id            TEXT    PRIMARY KEY,
          name          TEXT    NOT NULL,
          priority      INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 1000),
          active        INTEGER NOT NULL CHECK (active IN (0, 1)),
          created_at_ms INTEGER NOT NULL,
          updated_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        `,
      ],
    },
  ],
};

interface LocationRow {
  id: string;
  name: string;
  priority: number;
  active: number;
  created_at_ms: number;
  updated_at_ms: number;
  [column: string]: SqlStorageValue;
}

const view = (row: LocationRow): Location => ({
  id: row.id,
  name: row.name,
  priority: row.priority,
  active: row.active === 1,
  created_at: isoInstant(row.created_at_ms),
  updated_at: isoInstant(row.updated_at_ms),
});

export class LocationRegistry extends DurableObject<ObjectBindings> {
  private readonly schema: LazySchema;

  constructor(ctx: DurableObjectState, env: ObjectBindings) {
    super(ctx, env);
    this.schema = new LazySchema(ctx.storage, LOCATION_REGISTRY_SCHEMA);
  }

  /** Every location, `default` included, by priority then id. Creates nothing. */
  async list(): Promise<Outcome<{ items: Location[] }>> {
    return succeed({ items: withDefault(this.rows().map(view)) });
  }

  async get(id: string): Promise<Outcome<Location>> {
    const found = withDefault(this.rows().map(view)).find((l) => l.id === id);
    return found ? succeed(found) : fail("not_found", `no location ${id}`);
  }

  /** Creates (`created`) or replaces a location. */
  async put(id: string, input: LocationInput): Promise<Outcome<Location>> {
    const rows = this.rows();
    const existing = rows.find((r) => r.id === id);
    const others = rows.filter((r) => r.id !== DEFAULT_LOCATION).length;
    const decision = decideLocationPut(id, existing !== undefined, others, input);
    if (!decision.ok) {
      return decision.refusal.code === "too_many"
        ? fail("conflict", `at most ${decision.refusal.limit} locations`, { limit: decision.refusal.limit })
        : fail("conflict", "the location default is always active");
    }
    const now = clock.now();
    this.schema.ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO locations (id, name, priority, active, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, priority = excluded.priority, active = excluded.active,
         updated_at_ms = excluded.updated_at_ms`,
      id,
      input.name,
      input.priority,
      input.active ? 1 : 0,
      now,
      now,
    );
    const stored = this.rows().find((r) => r.id === id)!;
    // `default` existed before its first write: replacing it is a 200.
    return { ok: true, value: view(stored), created: existing === undefined && id !== DEFAULT_LOCATION };
  }

  private rows(): LocationRow[] {
    if (!this.schema.exists) return [];
    return this.ctx.storage.sql.exec<LocationRow>("SELECT * FROM locations").toArray();
  }
}
