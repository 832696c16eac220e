-- The D1 read model: a projection of the per-SKU ledgers kept in Durable Objects.
-- Never asked "can I sell this?"; every row can be rebuilt from the ledgers.

CREATE TABLE stock (
  sku        TEXT    PRIMARY KEY
             CHECK (length(sku) BETWEEN 1 AND 64),
  on_hand    INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved   INTEGER NOT NULL CHECK (reserved >= 0),
  committed  INTEGER NOT NULL CHECK (committed >= 0),
  available  INTEGER NOT NULL CHECK (available >= 0 AND available = on_hand - reserved - committed),
  version    INTEGER NOT NULL CHECK (version >= 1),
  updated_at TEXT    NOT NULL CHECK (length(updated_at) = 24)
) WITHOUT ROWID;

-- GET /v1/stock?in_stock=true|false pages by sku within one of these.
CREATE INDEX stock_in_stock ON stock (sku) WHERE available > 0;
CREATE INDEX stock_out_of_stock ON stock (sku) WHERE available = 0;

CREATE TABLE moves (
  -- Global projection order: the change-feed cursor of GET /v1/moves.
  cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
  sku            TEXT    NOT NULL REFERENCES stock (sku),
  seq            INTEGER NOT NULL CHECK (seq >= 1),
  type           TEXT    NOT NULL CHECK (type IN ('received', 'adjusted', 'reserved', 'released',
                                                  'committed', 'cancelled', 'fulfilled', 'returned')),
  quantity       INTEGER NOT NULL CHECK (CASE type WHEN 'adjusted' THEN quantity <> 0 ELSE quantity > 0 END),
  on_hand        INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved       INTEGER NOT NULL CHECK (reserved >= 0),
  committed      INTEGER NOT NULL CHECK (committed >= 0),
  available      INTEGER NOT NULL CHECK (available >= 0 AND available = on_hand - reserved - committed),
  reservation_id TEXT    CHECK ((reservation_id IS NULL) = (type IN ('received', 'adjusted'))),
  order_id       TEXT    CHECK ((order_id IS NULL) = (type IN ('received', 'adjusted', 'reserved', 'released'))),
  reason         TEXT,
  ref            TEXT,
  at             TEXT    NOT NULL CHECK (length(at) = 24),
  at_day         TEXT    NOT NULL CHECK (at_day = substr(at, 1, 10)),
  UNIQUE (sku, seq)
);

-- One index per filter of GET /v1/moves, each ending in the cursor so a page is a range read.
CREATE INDEX moves_by_sku ON moves (sku, cursor);
CREATE INDEX moves_by_type ON moves (type, cursor);
CREATE INDEX moves_by_reservation ON moves (reservation_id, cursor) WHERE reservation_id IS NOT NULL;
CREATE INDEX moves_by_order ON moves (order_id, cursor) WHERE order_id IS NOT NULL;
CREATE INDEX moves_by_ref ON moves (ref, cursor) WHERE ref IS NOT NULL;
CREATE INDEX moves_by_time ON moves (at, cursor);
