// Migration 0011 on a read model that already holds v1.1 data: every move, cursor, rollup and stock row is
// kept, each at `default`, and the projection's view writes the v1.2 columns afterwards.
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";

const dir = new URL("../../migrations/", import.meta.url);
const migrations = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
/** Each file in one transaction, as D1 applies a migration (a deferred foreign key is checked at its end). */
const apply = (db: DatabaseSync, names: string[]) => {
  for (const name of names) {
    db.exec("BEGIN");
    db.exec(readFileSync(new URL(name, dir), "utf8"));
    db.exec("COMMIT");
  }
};

describe("D1 migration 0011 (locations)", () => {
  it("keeps a v1.1 read model whole, at default, and takes v1.2 moves after it", () => {
    const db = new DatabaseSync(":memory:");
    db.exec("PRAGMA foreign_keys = ON");
    const before = migrations.filter((m) => m < "0011");
    apply(db, before);
    const move = db.prepare(
      `INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason, ref, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
    );
    db.prepare("INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at) VALUES ('A', 5, 2, 0, 3, 2, '2026-11-01T10:00:01.000Z')").run();
    move.run("A", 1, "received", 5, 5, 0, 0, 5, null, null, "2026-11-01T10:00:00.000Z");
    move.run("A", 2, "reserved", 2, 5, 2, 0, 3, "cart:1", null, "2026-11-01T10:00:01.000Z");
    const cursors = db.prepare("SELECT cursor, seq FROM moves ORDER BY cursor").all();

    apply(db, migrations.filter((m) => m >= "0011"));

    expect(db.prepare("SELECT cursor, seq FROM moves ORDER BY cursor").all()).toEqual(cursors);
    expect(db.prepare("SELECT DISTINCT location, to_location FROM moves").all()).toEqual([{ location: "default", to_location: null }]);
    expect(db.prepare("SELECT location, sku, on_hand, reserved, available FROM stock_locations").all()).toEqual([
      { location: "default", sku: "A", on_hand: 5, reserved: 2, available: 3 },
    ]);
    // A v1.2 batch: a transfer through the view, and the stock row with its locations.
    const v12 = db.prepare(
      `INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason, ref, at, location, to_location)
       VALUES ('A', 3, 'transferred', 1, 5, 2, 0, 3, NULL, NULL, NULL, NULL, '2026-11-01T10:00:03.000Z', 'default', 'truck')`,
    );
    v12.run();
    db.prepare(
      `UPDATE stock SET version = 3, locations = json('[{"location":"default","on_hand":4,"reserved":2,"committed":0,"available":2},{"location":"truck","on_hand":1,"reserved":0,"committed":0,"available":1}]') WHERE sku = 'A'`,
    ).run();
    expect(db.prepare("SELECT seq, location, to_location FROM moves WHERE seq = 3").all()).toEqual([{ seq: 3, location: "default", to_location: "truck" }]);
    expect(db.prepare("SELECT location, on_hand, version FROM stock_locations ORDER BY location").all()).toEqual([
      { location: "default", on_hand: 4, version: 3 },
      { location: "truck", on_hand: 1, version: 3 },
    ]);
    // A transfer with no destination is refused by the table itself.
    expect(() =>
      db.exec(`INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason, ref, at)
               VALUES ('A', 4, 'transferred', 1, 5, 2, 0, 3, NULL, NULL, NULL, NULL, '2026-11-01T10:00:04.000Z')`),
    ).toThrow(/CHECK/);
    expect(db.prepare("SELECT transferred FROM daily_rollups WHERE sku = 'A'").all()).toEqual([{ transferred: 1 }]);
  });
});

describe("D1 migration 0012 (reality)", () => {
  it("keeps every stock row, its locations and the moves pointing at it, and then takes short SKUs", () => {
    const db = new DatabaseSync(":memory:");
    db.exec("PRAGMA foreign_keys = ON");
    apply(db, migrations.filter((m) => m < "0012"));
    db.prepare(
      `INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at, low_stock_threshold)
       VALUES ('A', 5, 2, 0, 3, 2, '2026-11-01T10:00:01.000Z', 4)`,
    ).run();
    db.exec(`INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason, ref, at, location, to_location)
             VALUES ('A', 1, 'received', 5, 5, 0, 0, 5, NULL, NULL, NULL, NULL, '2026-11-01T10:00:00.000Z', 'default', NULL),
                    ('A', 2, 'reserved', 2, 5, 2, 0, 3, 'cart:1', NULL, NULL, NULL, '2026-11-01T10:00:01.000Z', 'default', NULL)`);
    const cursors = db.prepare("SELECT cursor, seq FROM moves ORDER BY cursor").all();

    apply(db, migrations.filter((m) => m >= "0012"));

    expect(db.prepare("SELECT sku, on_hand, available, low_stock_threshold, incoming, backorder_limit, preorder FROM stock").all()).toEqual([
      { sku: "A", on_hand: 5, available: 3, low_stock_threshold: 4, incoming: 0, backorder_limit: 0, preorder: 0 },
    ]);
    expect(db.prepare("SELECT cursor, seq FROM moves ORDER BY cursor").all()).toEqual(cursors);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
    // A count found 1 unit with 2 reserved: the row takes available −1, and its locations follow.
    db.prepare(
      `UPDATE stock SET on_hand = 1, available = -1, version = 3, locations = json('[{"location":"default","on_hand":1,"reserved":2,"committed":0,"available":-1}]')
       WHERE sku = 'A'`,
    ).run();
    expect(db.prepare("SELECT available FROM stock_locations WHERE sku = 'A'").all()).toEqual([{ available: -1 }]);
    const short = "SELECT sku FROM stock INDEXED BY stock_short WHERE available < -(backorder_limit + preorder * incoming) AND sku > '' ORDER BY sku";
    expect(db.prepare(short).all()).toEqual([{ sku: "A" }]);
    db.prepare("UPDATE stock SET backorder_limit = 1 WHERE sku = 'A'").run();
    expect(db.prepare(short).all()).toEqual([]);
    // Incoming moves go through the projection's view, and the rollups count them.
    db.exec(`INSERT INTO projected_moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason, ref, at, location, to_location, incoming_id, incoming)
             VALUES ('A', 4, 'expected', 6, 1, 2, 0, -1, NULL, NULL, NULL, NULL, '2026-11-02T10:00:00.000Z', 'default', NULL, 'PO-1', 6)`);
    expect(db.prepare("SELECT incoming_id, incoming FROM moves WHERE seq = 4").all()).toEqual([{ incoming_id: "PO-1", incoming: 6 }]);
  });
});
