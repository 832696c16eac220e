-- Daily rollups per (UTC day, SKU), maintained by a trigger on moves: it fires only for a row actually
-- inserted, so a replayed projection batch (ON CONFLICT DO NOTHING) never counts twice, and it runs in the
-- same transaction as the batch. Retention deletes moves, never rollups.

CREATE TABLE daily_rollups (
  day         TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  sku         TEXT    NOT NULL REFERENCES stock (sku),
  received    INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
  adjusted    INTEGER NOT NULL DEFAULT 0,
  reserved    INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  released    INTEGER NOT NULL DEFAULT 0 CHECK (released >= 0),
  committed   INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0),
  cancelled   INTEGER NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
  fulfilled   INTEGER NOT NULL DEFAULT 0 CHECK (fulfilled >= 0),
  returned    INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
  -- on_hand after the day's last move, and that move's seq.
  on_hand_end INTEGER NOT NULL CHECK (on_hand_end >= 0),
  last_seq    INTEGER NOT NULL CHECK (last_seq >= 1),
  PRIMARY KEY (day, sku)
) WITHOUT ROWID;

-- GET /v1/reports/daily?sku=… reads one SKU's days.
CREATE INDEX daily_rollups_by_sku ON daily_rollups (sku, day);

CREATE TRIGGER moves_roll_up AFTER INSERT ON moves
BEGIN
  INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                             fulfilled, returned, on_hand_end, last_seq)
  VALUES (NEW.at_day, NEW.sku,
          CASE NEW.type WHEN 'received'  THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'adjusted'  THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'reserved'  THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'released'  THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'committed' THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'cancelled' THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'fulfilled' THEN NEW.quantity ELSE 0 END,
          CASE NEW.type WHEN 'returned'  THEN NEW.quantity ELSE 0 END,
          NEW.on_hand, NEW.seq)
  ON CONFLICT (day, sku) DO UPDATE SET
    received    = received  + excluded.received,
    adjusted    = adjusted  + excluded.adjusted,
    reserved    = reserved  + excluded.reserved,
    released    = released  + excluded.released,
    committed   = committed + excluded.committed,
    cancelled   = cancelled + excluded.cancelled,
    fulfilled   = fulfilled + excluded.fulfilled,
    returned    = returned  + excluded.returned,
    on_hand_end = CASE WHEN excluded.last_seq > last_seq THEN excluded.on_hand_end ELSE on_hand_end END,
    last_seq    = max(last_seq, excluded.last_seq);
END;

-- Moves projected before this migration.
INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                           fulfilled, returned, on_hand_end, last_seq)
SELECT at_day, sku,
       sum(CASE type WHEN 'received'  THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'adjusted'  THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'reserved'  THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'released'  THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'committed' THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'cancelled' THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'fulfilled' THEN quantity ELSE 0 END),
       sum(CASE type WHEN 'returned'  THEN quantity ELSE 0 END),
       (SELECT m2.on_hand FROM moves m2 WHERE m2.sku = m.sku AND m2.at_day = m.at_day ORDER BY m2.seq DESC LIMIT 1),
       max(seq)
FROM moves m
GROUP BY at_day, sku;
