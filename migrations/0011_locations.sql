-- Contract v1.2: stock by location, and the move types of v1.2.
--
-- 1. `moves` is rebuilt, once: SQLite cannot change a CHECK in place, and v1.2 adds move types
--    (`transferred`, `expected`, `expected_cancelled`) and lets a move's available be below zero (a count
--    may find a SKU short; the four numbers still add up). Each move gains `location` (rows from before are
--    at `default`) and `to_location` (a transfer's destination). Cursors, and so change-feed positions,
--    are kept. The view and trigger the projection writes through are made again over the new columns.
-- 2. `stock` keeps the Stock object's `locations` as JSON, and a trigger copies each location's numbers to
--    `stock_locations`, which GET /v1/stock?location= walks by (location, sku).
-- 3. The daily rollups count transfers.

DROP TRIGGER project_move;
DROP VIEW projected_moves;

CREATE TABLE moves_v12 (
  cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
  sku            TEXT    NOT NULL REFERENCES stock (sku),
  seq            INTEGER NOT NULL CHECK (seq >= 1),
  type           TEXT    NOT NULL CHECK (type IN ('received', 'adjusted', 'reserved', 'released', 'committed',
                                                  'cancelled', 'fulfilled', 'returned', 'transferred',
                                                  'expected', 'expected_cancelled')),
  quantity       INTEGER NOT NULL CHECK (CASE type WHEN 'adjusted' THEN quantity <> 0 ELSE quantity > 0 END),
  on_hand        INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved       INTEGER NOT NULL CHECK (reserved >= 0),
  committed      INTEGER NOT NULL CHECK (committed >= 0),
  available      INTEGER NOT NULL CHECK (available = on_hand - reserved - committed),
  reservation_id TEXT    CHECK ((reservation_id IS NULL) = (type IN ('received', 'adjusted', 'transferred',
                                                                       'expected', 'expected_cancelled'))),
  order_id       TEXT    CHECK ((order_id IS NULL) = (type IN ('received', 'adjusted', 'reserved', 'released',
                                                                 'transferred', 'expected', 'expected_cancelled'))),
  reason         TEXT,
  ref            TEXT,
  at             TEXT    NOT NULL CHECK (length(at) = 24),
  at_day         TEXT    NOT NULL CHECK (at_day = substr(at, 1, 10)),
  projected_at   TEXT    CHECK (projected_at IS NULL OR length(projected_at) = 24),
  location       TEXT    NOT NULL DEFAULT 'default',
  to_location    TEXT    CHECK ((to_location IS NULL) = (type <> 'transferred')),
  UNIQUE (sku, seq)
);

INSERT INTO moves_v12 (cursor, sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id,
                       order_id, reason, ref, at, at_day, projected_at)
SELECT cursor, sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id, reason,
       ref, at, at_day, projected_at
FROM moves ORDER BY cursor;

DROP TABLE moves;
ALTER TABLE moves_v12 RENAME TO moves;

-- One index per filter of GET /v1/moves, each ending in the cursor so a page is a range read (as before).
CREATE INDEX moves_by_sku ON moves (sku, cursor);
CREATE INDEX moves_by_type ON moves (type, cursor, at);
CREATE INDEX moves_by_reservation ON moves (reservation_id, cursor) WHERE reservation_id IS NOT NULL;
CREATE INDEX moves_by_order ON moves (order_id, cursor) WHERE order_id IS NOT NULL;
CREATE INDEX moves_by_ref ON moves (ref, cursor) WHERE ref IS NOT NULL;
CREATE INDEX moves_by_time ON moves (at, cursor, type);
CREATE INDEX moves_by_sku_type ON moves (sku, type, cursor);
-- GET /v1/moves?location=: moves at a location, and transfers into it, each walked in cursor order.
CREATE INDEX moves_by_location ON moves (location, cursor);
CREATE INDEX moves_by_to_location ON moves (to_location, cursor) WHERE to_location IS NOT NULL;

CREATE TRIGGER moves_block_bounds AFTER INSERT ON moves
BEGIN
  INSERT INTO move_blocks (block, min_at, max_at) VALUES (NEW.cursor >> 12, NEW.at, NEW.at)
  ON CONFLICT (block) DO UPDATE SET
    min_at = min(min_at, excluded.min_at),
    max_at = max(max_at, excluded.max_at);
END;

CREATE TRIGGER moves_hour_count AFTER INSERT ON moves
BEGIN
  INSERT INTO move_hours (hour, moves) VALUES (substr(NEW.at, 1, 13), 1)
  ON CONFLICT (hour) DO UPDATE SET moves = moves + 1;
END;

ALTER TABLE daily_rollups ADD COLUMN transferred INTEGER NOT NULL DEFAULT 0 CHECK (transferred >= 0);

-- What the projection writes: a move as the ledger recorded it (see 0004 for the rules).
CREATE VIEW projected_moves AS
  SELECT sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id,
         reason, ref, at, location, to_location
  FROM moves WHERE 0;

CREATE TRIGGER project_move INSTEAD OF INSERT ON projected_moves
BEGIN
  INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id,
                     order_id, reason, ref, at, at_day, projected_at, location, to_location)
  SELECT NEW.sku, NEW.seq, NEW.type, NEW.quantity, NEW.on_hand, NEW.reserved, NEW.committed, NEW.available,
         NEW.reservation_id, NEW.order_id, NEW.reason, NEW.ref, NEW.at, substr(NEW.at, 1, 10),
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce(NEW.location, 'default'), NEW.to_location
  WHERE NEW.at >= coalesce((SELECT horizon FROM retention_horizon WHERE id = 1), '')
  ON CONFLICT (sku, seq) DO NOTHING;

  INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                             fulfilled, returned, transferred, on_hand_end, last_seq)
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
    on_hand_end = excluded.on_hand_end,
    last_seq    = excluded.last_seq;

  INSERT INTO rollup_progress (sku, counted_seq)
  SELECT NEW.sku, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (sku) DO UPDATE SET counted_seq = excluded.counted_seq;
END;

-- The Stock object's locations, as the projection last wrote them (null: a row from before, all at default).
ALTER TABLE stock ADD COLUMN locations TEXT;

CREATE TABLE stock_locations (
  location   TEXT    NOT NULL,
  sku        TEXT    NOT NULL REFERENCES stock (sku),
  on_hand    INTEGER NOT NULL,
  reserved   INTEGER NOT NULL,
  committed  INTEGER NOT NULL,
  available  INTEGER NOT NULL CHECK (available = on_hand - reserved - committed),
  version    INTEGER NOT NULL,
  updated_at TEXT    NOT NULL,
  PRIMARY KEY (location, sku)
) WITHOUT ROWID;

-- Rows from before are at default.
INSERT INTO stock_locations (location, sku, on_hand, reserved, committed, available, version, updated_at)
SELECT 'default', sku, on_hand, reserved, committed, available, version, updated_at FROM stock;

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

-- GET /v1/stock?location=X&in_stock=true|false pages by sku within one of these.
CREATE INDEX stock_locations_in_stock ON stock_locations (location, sku) WHERE available > 0;
CREATE INDEX stock_locations_out_of_stock ON stock_locations (location, sku) WHERE available <= 0;
