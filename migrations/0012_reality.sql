-- Contract v1.2: reality. A count may find fewer units than are promised, a SKU may be backordered or
-- preordered, and units on their way are recorded.
--
-- 1. `stock` is rebuilt, once, without `available >= 0` (SQLite cannot drop a CHECK in place). It gains the
--    SKU's incoming units and backorder policy, which `GET /v1/stock?short=true` reads: a SKU is short when
--    its available is below −(backorder_limit, plus incoming when preorders are on). Foreign keys to it
--    are checked at the end of the migration, when `stock` exists again. Out of stock is now available ≤ 0.
-- 2. Moves record the incoming they concern and the SKU's incoming after them, and the daily rollups
--    count expected and cancelled incoming units. The view and trigger the projection writes through are
--    made again over the new columns.
PRAGMA defer_foreign_keys = true;

-- The rows wait in a copy while `stock` is made again: inserting them into the new table is what tells
-- SQLite that the moves and rollups pointing at each SKU have their row again.
CREATE TABLE stock_before_v12 AS
  SELECT sku, on_hand, reserved, committed, available, version, updated_at, low_stock_threshold, locations FROM stock;
DROP TABLE stock;

CREATE TABLE stock (
  sku                 TEXT    PRIMARY KEY CHECK (length(sku) BETWEEN 1 AND 64),
  on_hand             INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved            INTEGER NOT NULL CHECK (reserved >= 0),
  committed           INTEGER NOT NULL CHECK (committed >= 0),
  available           INTEGER NOT NULL CHECK (available = on_hand - reserved - committed),
  version             INTEGER NOT NULL CHECK (version >= 1),
  updated_at          TEXT    NOT NULL CHECK (length(updated_at) = 24),
  low_stock_threshold INTEGER CHECK (low_stock_threshold BETWEEN 0 AND 1000000),
  locations           TEXT,
  incoming            INTEGER NOT NULL DEFAULT 0 CHECK (incoming >= 0),
  backorder_limit     INTEGER NOT NULL DEFAULT 0 CHECK (backorder_limit BETWEEN 0 AND 1000000),
  preorder            INTEGER NOT NULL DEFAULT 0 CHECK (preorder IN (0, 1))
) WITHOUT ROWID;

INSERT INTO stock (sku, on_hand, reserved, committed, available, version, updated_at, low_stock_threshold, locations)
SELECT sku, on_hand, reserved, committed, available, version, updated_at, low_stock_threshold, locations
FROM stock_before_v12;
DROP TABLE stock_before_v12;

-- GET /v1/stock?in_stock=true|false, ?low=true and (v1.2) ?short=true page by sku within one of these.
CREATE INDEX stock_in_stock ON stock (sku) WHERE available > 0;
CREATE INDEX stock_out_of_stock ON stock (sku) WHERE available <= 0;
CREATE INDEX stock_low ON stock (sku) WHERE low_stock_threshold IS NOT NULL AND available <= low_stock_threshold;
CREATE INDEX stock_short ON stock (sku) WHERE available < -(backorder_limit + preorder * incoming);

CREATE TRIGGER stock_locations_on_insert AFTER INSERT ON stock
BEGIN
  INSERT INTO stock_locations (location, sku, on_hand, reserved, committed, available, version, updated_at)
  SELECT value ->> 'location', NEW.sku, value ->> 'on_hand', value ->> 'reserved', value ->> 'committed',
         value ->> 'available', NEW.version, NEW.updated_at
  FROM json_each(coalesce(NEW.locations, json_array(json_object('location', 'default', 'on_hand', NEW.on_hand,
         'reserved', NEW.reserved, 'committed', NEW.committed, 'available', NEW.available))))
  WHERE true
  ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
    committed = excluded.committed, available = excluded.available, version = excluded.version,
    updated_at = excluded.updated_at;
END;

CREATE TRIGGER stock_locations_on_update AFTER UPDATE OF version ON stock
BEGIN
  INSERT INTO stock_locations (location, sku, on_hand, reserved, committed, available, version, updated_at)
  SELECT value ->> 'location', NEW.sku, value ->> 'on_hand', value ->> 'reserved', value ->> 'committed',
         value ->> 'available', NEW.version, NEW.updated_at
  FROM json_each(coalesce(NEW.locations, json_array(json_object('location', 'default', 'on_hand', NEW.on_hand,
         'reserved', NEW.reserved, 'committed', NEW.committed, 'available', NEW.available))))
  WHERE true
  ON CONFLICT (location, sku) DO UPDATE SET on_hand = excluded.on_hand, reserved = excluded.reserved,
    committed = excluded.committed, available = excluded.available, version = excluded.version,
    updated_at = excluded.updated_at;
END;

DROP TRIGGER project_move;
DROP VIEW projected_moves;

ALTER TABLE moves ADD COLUMN incoming_id TEXT;
ALTER TABLE moves ADD COLUMN incoming INTEGER NOT NULL DEFAULT 0 CHECK (incoming >= 0);

ALTER TABLE daily_rollups ADD COLUMN expected INTEGER NOT NULL DEFAULT 0 CHECK (expected >= 0);
ALTER TABLE daily_rollups ADD COLUMN expected_cancelled INTEGER NOT NULL DEFAULT 0 CHECK (expected_cancelled >= 0);

-- What the projection writes: a move as the ledger recorded it (see 0004 for the rules).
CREATE VIEW projected_moves AS
  SELECT sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id,
         reason, ref, at, location, to_location, incoming_id, incoming
  FROM moves WHERE 0;

CREATE TRIGGER project_move INSTEAD OF INSERT ON projected_moves
BEGIN
  INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id,
                     order_id, reason, ref, at, at_day, projected_at, location, to_location, incoming_id, incoming)
  SELECT NEW.sku, NEW.seq, NEW.type, NEW.quantity, NEW.on_hand, NEW.reserved, NEW.committed, NEW.available,
         NEW.reservation_id, NEW.order_id, NEW.reason, NEW.ref, NEW.at, substr(NEW.at, 1, 10),
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce(NEW.location, 'default'), NEW.to_location,
         NEW.incoming_id, coalesce(NEW.incoming, 0)
  WHERE NEW.at >= coalesce((SELECT horizon FROM retention_horizon WHERE id = 1), '')
  ON CONFLICT (sku, seq) DO NOTHING;

  INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                             fulfilled, returned, transferred, expected, expected_cancelled, on_hand_end, last_seq)
  SELECT substr(NEW.at, 1, 10), NEW.sku,
         CASE NEW.type WHEN 'received'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'adjusted'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'reserved'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'released'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'committed'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'cancelled'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'fulfilled'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'returned'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'transferred' THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'expected'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'expected_cancelled' THEN NEW.quantity ELSE 0 END,
         NEW.on_hand, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (day, sku) DO UPDATE SET
    received    = received    + excluded.received,
    adjusted    = adjusted    + excluded.adjusted,
    reserved    = reserved    + excluded.reserved,
    released    = released    + excluded.released,
    committed   = committed   + excluded.committed,
    cancelled   = cancelled   + excluded.cancelled,
    fulfilled   = fulfilled   + excluded.fulfilled,
    returned    = returned    + excluded.returned,
    transferred = transferred + excluded.transferred,
    expected    = expected    + excluded.expected,
    expected_cancelled = expected_cancelled + excluded.expected_cancelled,
    on_hand_end = excluded.on_hand_end,
    last_seq    = excluded.last_seq;

  INSERT INTO rollup_progress (sku, counted_seq)
  SELECT NEW.sku, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (sku) DO UPDATE SET counted_seq = excluded.counted_seq;
END;
