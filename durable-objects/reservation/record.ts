/**
 * A reservation as its object stores it (`reservation`, one row), and as the API shows it. The row is
 * rewritten only when a change is complete; a change in flight lives in the intent log.
 */
import {
  isoInstant,
  type RequestedLine,
  type Reservation as ReservationView,
  type ReservationLine,
  type ReservationStatus,
} from "../domain/contract";
import { holdLines, shareAllocations, type Component } from "../domain/bundles";
import type { Allocation } from "../domain/balances";
import { DEFAULT_LOCATION } from "../domain/locations";

/**
 * A stored line: as asked for, with (v1.2) where the products said they hold it. A product's allocations
 * change only when this reservation asks it to, so the copy written from its answers cannot drift; lines
 * stored before v1.2 have none, and were held at `default`. A bundle line keeps the components it was made
 * with, each with its own allocations.
 */
export interface RecordLine extends RequestedLine {
  allocations?: Allocation[];
  components?: Array<Component & { allocations?: Allocation[] }>;
}

/** What the products hold for these lines: one hold per SKU, bundle components summed with plain lines. */
export function holdsOf(lines: readonly RecordLine[]): RequestedLine[] {
  const held = holdLines(lines);
  // The edge refuses lines that disagree on a SKU's location before a reservation is called.
  if (!held.ok) throw new Error(`lines holding ${held.sku} name different locations`);
  return held.lines;
}

/** The lines with what each SKU's product holds shared out over the lines (and components) that use it. */
export function withAllocations(lines: readonly RecordLine[], held: ReadonlyMap<string, readonly Allocation[]>): RecordLine[] {
  return shareAllocations(lines, held).map(({ line, allocations }) =>
    line.components
      ? { ...line, components: line.components.map((c, i) => ({ sku: c.sku, quantity: c.quantity, allocations: allocations[i]! })) }
      : { ...line, allocations: allocations[0]! },
  );
}

export interface ReservationRecord {
  id: string;
  holder: string;
  status: ReservationStatus;
  lines: RecordLine[];
  expires_at_ms: number;
  order_id: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export function viewOf(r: ReservationRecord, nowMs: number): ReservationView {
  const expired = r.status === "active" && nowMs >= r.expires_at_ms;
  return {
    id: r.id,
    holder: r.holder,
    status: expired ? "expired" : r.status,
    lines: r.lines.map(lineView),
    expires_at: isoInstant(r.expires_at_ms),
    order_id: r.order_id,
    created_at: isoInstant(r.created_at_ms),
    updated_at: isoInstant(r.updated_at_ms),
  };
}

export const lineView = (l: RecordLine): ReservationLine =>
  l.components
    ? {
        sku: l.sku,
        quantity: l.quantity,
        ...(l.location === undefined ? {} : { location: l.location }),
        // A bundle holds nothing of its own: its components say where their units are held.
        allocations: [],
        components: l.components.map((c) => ({ sku: c.sku, quantity: c.quantity, allocations: c.allocations ?? [] })),
      }
    : {
        sku: l.sku,
        quantity: l.quantity,
        ...(l.location === undefined ? {} : { location: l.location }),
        allocations: l.allocations ?? [{ location: DEFAULT_LOCATION, quantity: l.quantity }],
      };

/** What the products hold for a stored reservation: its lines while active, nothing otherwise. */
export function heldLines(record: ReservationRecord | null): RecordLine[] {
  return record?.status === "active" ? record.lines : [];
}

/** The one `reservation` row, kept in memory while the object lives; `forget` drops it. */
export class ReservationRecords {
  private record: ReservationRecord | null | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly exists: () => boolean,
  ) {}

  load(): ReservationRecord | null {
    if (!this.exists()) return null;
    if (this.record === undefined) {
      const row = this.sql
        .exec<Omit<ReservationRecord, "lines"> & { lines: string }>("SELECT * FROM reservation")
        .toArray()[0];
      this.record = row ? { ...row, lines: JSON.parse(row.lines) as RecordLine[] } : null;
    }
    return this.record;
  }

  forget(): void {
    this.record = undefined;
  }

  save(r: ReservationRecord): void {
    this.record = r;
    this.sql.exec(
      `INSERT INTO reservation (id, holder, status, lines, expires_at_ms, order_id, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, status = excluded.status, lines = excluded.lines,
         expires_at_ms = excluded.expires_at_ms, order_id = excluded.order_id, updated_at_ms = excluded.updated_at_ms`,
      r.id,
      r.holder,
      r.status,
      JSON.stringify(r.lines),
      r.expires_at_ms,
      r.order_id,
      r.created_at_ms,
      r.updated_at_ms,
    );
  }
}
