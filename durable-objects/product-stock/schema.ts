/** The SQLite schema of one SKU's Durable Object, one step per version per owner (a shipped step is never edited). */
import { IDEMPOTENCY_SCHEMA } from "../shared/idempotency";
import { LazySchema, type Schema } from "../shared/migrate";
import { SCHEDULE_SCHEMA } from "../shared/schedule";

const STEPS: readonly string[] = [
  // 1: the ledger, its snapshot, holds by reservation and the outbox.
  `
  CREATE TABLE stock_moves (
    seq            INTEGER PRIMARY KEY CHECK (seq >= 1),
    type           TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    on_hand        INTEGER NOT NULL,
    reserved       INTEGER NOT NULL CHECK (reserved >= 0),
    committed      INTEGER NOT NULL CHECK (committed >= 0),
    reservation_id TEXT,
    order_id       TEXT,
    reason         TEXT,
    ref            TEXT,
    at_ms          INTEGER NOT NULL,
    CHECK (on_hand - reserved - committed >= 0)
  );
  CREATE INDEX stock_moves_by_time ON stock_moves (at_ms);

  CREATE TABLE stock (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sku           TEXT    NOT NULL,
    on_hand       INTEGER NOT NULL,
    reserved      INTEGER NOT NULL CHECK (reserved >= 0),
    committed     INTEGER NOT NULL CHECK (committed >= 0),
    version       INTEGER NOT NULL CHECK (version >= 0),
    updated_at_ms INTEGER,
    CHECK (on_hand - reserved - committed >= 0)
  );

  CREATE TABLE holds (
    reservation_id TEXT    PRIMARY KEY,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    expires_at_ms  INTEGER NOT NULL
  );

  CREATE TABLE outbox (seq INTEGER PRIMARY KEY);
  `,
  // 2: commits. A hold pinned by a commit in progress (its deadline no longer applies), and what each
  // order took of this SKU, so order commands can be sent as targets and applied idempotently.
  `
  ALTER TABLE holds ADD COLUMN pinned_order_id TEXT;

  CREATE TABLE order_lines (
    order_id       TEXT    PRIMARY KEY,
    reservation_id TEXT    NOT NULL UNIQUE,
    committed      INTEGER NOT NULL CHECK (committed > 0),
    fulfilled      INTEGER NOT NULL DEFAULT 0,
    cancelled      INTEGER NOT NULL DEFAULT 0,
    returned       INTEGER NOT NULL DEFAULT 0,
    CHECK (fulfilled >= 0 AND cancelled >= 0 AND fulfilled + cancelled <= committed),
    CHECK (returned >= 0 AND returned <= fulfilled)
  );
  `,
  // 3: the outbox becomes a watermark over the append-only ledger: every move past projected_seq is still
  // to be sent to D1. A rebuild is then "watermark to 0", however long the ledger. `epoch` lets a rebuild
  // overrule a flush already in flight; `registered` records that the catalog knows this SKU.
  `
  CREATE TABLE projection (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    projected_seq INTEGER NOT NULL CHECK (projected_seq >= 0),
    epoch         INTEGER NOT NULL DEFAULT 0,
    registered    INTEGER NOT NULL DEFAULT 0 CHECK (registered IN (0, 1))
  );
  INSERT INTO projection (id, projected_seq)
    VALUES (1, coalesce((SELECT min(seq) - 1 FROM outbox), (SELECT version FROM stock WHERE id = 1), 0));
  DROP TABLE outbox;
  `,
  // 4: every move carries the balances after it, so the snapshot is the last move and a command writes one
  // statement per move instead of two. What the snapshot row kept besides is the SKU, written once.
  `
  CREATE TABLE ledger_sku (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    sku TEXT    NOT NULL
  );
  INSERT INTO ledger_sku (id, sku) SELECT 1, sku FROM stock WHERE id = 1;
  DROP TABLE stock;
  `,
  // 5: per-SKU settings (contract v1.1), settable before the first move, and whether D1 has the current ones.
  `
  CREATE TABLE settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    low_stock_threshold INTEGER CHECK (low_stock_threshold BETWEEN 0 AND 1000000),
    updated_at_ms       INTEGER NOT NULL
  );
  ALTER TABLE projection ADD COLUMN settings_projected INTEGER NOT NULL DEFAULT 1 CHECK (settings_projected IN (0, 1));
  `,
  // 6: stock events (contract v1.1). Each move records the low-stock threshold in force, so its events are a
  // pure function of the ledger; the ledger past sent_seq is the events' outbox. Moves made before this
  // step produced no events, so the watermark starts at the last of them.
  `
  ALTER TABLE stock_moves ADD COLUMN low_stock_threshold INTEGER;
  CREATE TABLE event_outbox (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    sent_seq INTEGER NOT NULL CHECK (sent_seq >= 0)
  );
  INSERT INTO event_outbox (id, sent_seq) VALUES (1, coalesce((SELECT max(seq) FROM stock_moves), 0));
  `,
  // 7: locations (contract v1.2). A move records where it happened (null: \`default\`, so a one-location
  // shop's ledger and its index stay as they were) and where a transfer took the units, with the balances
  // at each of them after it (null on earlier rows, whose totals were the balances at \`default\`). The
  // partial indexes find a location's last move; \`ledger_locations\` lists every location the SKU ever had
  // a move at. Holds and order lines keep their allocations by location as JSON; earlier ones are at
  // \`default\`.
  `
  ALTER TABLE stock_moves ADD COLUMN location TEXT;
  ALTER TABLE stock_moves ADD COLUMN to_location TEXT;
  ALTER TABLE stock_moves ADD COLUMN at_on_hand INTEGER;
  ALTER TABLE stock_moves ADD COLUMN at_reserved INTEGER;
  ALTER TABLE stock_moves ADD COLUMN at_committed INTEGER;
  ALTER TABLE stock_moves ADD COLUMN to_on_hand INTEGER;
  ALTER TABLE stock_moves ADD COLUMN to_reserved INTEGER;
  ALTER TABLE stock_moves ADD COLUMN to_committed INTEGER;
  CREATE INDEX stock_moves_by_location ON stock_moves (location, seq) WHERE location IS NOT NULL;
  CREATE INDEX stock_moves_by_to_location ON stock_moves (to_location, seq) WHERE to_location IS NOT NULL;
  CREATE TABLE ledger_locations (location TEXT PRIMARY KEY) WITHOUT ROWID;
  INSERT INTO ledger_locations (location) SELECT 'default' WHERE EXISTS (SELECT 1 FROM stock_moves);
  ALTER TABLE holds ADD COLUMN allocations TEXT;
  ALTER TABLE order_lines ADD COLUMN allocations TEXT;
  `,
  // 8: reality (contract v1.2). A count may find fewer units than are promised, so a move's available may be
  // below zero: the ledger is rebuilt once without that CHECK (SQLite cannot drop one in place), on_hand
  // still never below zero. Moves record the incoming they concern and the SKU's incoming after them;
  // \`incoming\` keeps each purchase order's units on their way; settings gain the backorder policy.
  `
  CREATE TABLE stock_moves_v8 (
    seq                 INTEGER PRIMARY KEY CHECK (seq >= 1),
    type                TEXT    NOT NULL,
    quantity            INTEGER NOT NULL,
    on_hand             INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved            INTEGER NOT NULL CHECK (reserved >= 0),
    committed           INTEGER NOT NULL CHECK (committed >= 0),
    reservation_id      TEXT,
    order_id            TEXT,
    reason              TEXT,
    ref                 TEXT,
    at_ms               INTEGER NOT NULL,
    low_stock_threshold INTEGER,
    location            TEXT,
    to_location         TEXT,
    at_on_hand          INTEGER,
    at_reserved         INTEGER,
    at_committed        INTEGER,
    to_on_hand          INTEGER,
    to_reserved         INTEGER,
    to_committed        INTEGER,
    incoming_id         TEXT,
    incoming            INTEGER CHECK (incoming >= 0)
  );
  INSERT INTO stock_moves_v8 (seq, type, quantity, on_hand, reserved, committed, reservation_id, order_id, reason,
    ref, at_ms, low_stock_threshold, location, to_location, at_on_hand, at_reserved, at_committed, to_on_hand,
    to_reserved, to_committed)
  SELECT seq, type, quantity, on_hand, reserved, committed, reservation_id, order_id, reason, ref, at_ms,
    low_stock_threshold, location, to_location, at_on_hand, at_reserved, at_committed, to_on_hand, to_reserved,
    to_committed
  FROM stock_moves;
  DROP TABLE stock_moves;
  ALTER TABLE stock_moves_v8 RENAME TO stock_moves;
  CREATE INDEX stock_moves_by_time ON stock_moves (at_ms);
  CREATE INDEX stock_moves_by_location ON stock_moves (location, seq) WHERE location IS NOT NULL;
  CREATE INDEX stock_moves_by_to_location ON stock_moves (to_location, seq) WHERE to_location IS NOT NULL;

  CREATE TABLE incoming (
    id             TEXT    PRIMARY KEY,
    location       TEXT    NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity >= 1),
    received       INTEGER NOT NULL CHECK (received >= 0),
    expected_at_ms INTEGER NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
  ) WITHOUT ROWID;

  ALTER TABLE settings ADD COLUMN backorder_limit INTEGER NOT NULL DEFAULT 0 CHECK (backorder_limit BETWEEN 0 AND 1000000);
  ALTER TABLE settings ADD COLUMN preorder INTEGER NOT NULL DEFAULT 0 CHECK (preorder IN (0, 1));
  `,
  // 9 (v1.2): a bundle SKU has no stock of its own; the flag is set only while it has no moves.
  `ALTER TABLE settings ADD COLUMN bundle INTEGER NOT NULL DEFAULT 0 CHECK (bundle IN (0, 1));`,
  // 10 (v1.2): who made each move; null on the moves from before.
  `ALTER TABLE stock_moves ADD COLUMN actor TEXT;`,
];

/**
 * What steps 1–10 leave, for a new SKU: the ten steps (a ledger rebuilt, fourteen ALTERs) were about 6 ms of
 * the 14 ms of CPU a new SKU cost locally. Columns keep the order the steps gave them;
 * test/schema-versions.test.ts checks that both ways give the same tables, indexes and rows.
 */
const BASELINE = {
  version: 10,
  sql: `
  CREATE TABLE holds (
    reservation_id  TEXT    PRIMARY KEY,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    expires_at_ms   INTEGER NOT NULL,
    pinned_order_id TEXT,
    allocations     TEXT
  );

  CREATE TABLE order_lines (
    order_id       TEXT    PRIMARY KEY,
    reservation_id TEXT    NOT NULL UNIQUE,
    committed      INTEGER NOT NULL CHECK (committed > 0),
    fulfilled      INTEGER NOT NULL DEFAULT 0,
    cancelled      INTEGER NOT NULL DEFAULT 0,
    returned       INTEGER NOT NULL DEFAULT 0,
    allocations    TEXT,
    CHECK (fulfilled >= 0 AND cancelled >= 0 AND fulfilled + cancelled <= committed),
    CHECK (returned >= 0 AND returned <= fulfilled)
  );

  CREATE TABLE projection (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    projected_seq      INTEGER NOT NULL CHECK (projected_seq >= 0),
    epoch              INTEGER NOT NULL DEFAULT 0,
    registered         INTEGER NOT NULL DEFAULT 0 CHECK (registered IN (0, 1)),
    settings_projected INTEGER NOT NULL DEFAULT 1 CHECK (settings_projected IN (0, 1))
  );
  INSERT INTO projection (id, projected_seq) VALUES (1, 0);

  CREATE TABLE ledger_sku (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    sku TEXT    NOT NULL
  );

  CREATE TABLE settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    low_stock_threshold INTEGER CHECK (low_stock_threshold BETWEEN 0 AND 1000000),
    updated_at_ms       INTEGER NOT NULL,
    backorder_limit     INTEGER NOT NULL DEFAULT 0 CHECK (backorder_limit BETWEEN 0 AND 1000000),
    preorder            INTEGER NOT NULL DEFAULT 0 CHECK (preorder IN (0, 1)),
    bundle              INTEGER NOT NULL DEFAULT 0 CHECK (bundle IN (0, 1))
  );

  CREATE TABLE event_outbox (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    sent_seq INTEGER NOT NULL CHECK (sent_seq >= 0)
  );
  INSERT INTO event_outbox (id, sent_seq) VALUES (1, 0);

  CREATE TABLE ledger_locations (location TEXT PRIMARY KEY) WITHOUT ROWID;

  CREATE TABLE stock_moves (
    seq                 INTEGER PRIMARY KEY CHECK (seq >= 1),
    type                TEXT    NOT NULL,
    quantity            INTEGER NOT NULL,
    on_hand             INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved            INTEGER NOT NULL CHECK (reserved >= 0),
    committed           INTEGER NOT NULL CHECK (committed >= 0),
    reservation_id      TEXT,
    order_id            TEXT,
    reason              TEXT,
    ref                 TEXT,
    at_ms               INTEGER NOT NULL,
    low_stock_threshold INTEGER,
    location            TEXT,
    to_location         TEXT,
    at_on_hand          INTEGER,
    at_reserved         INTEGER,
    at_committed        INTEGER,
    to_on_hand          INTEGER,
    to_reserved         INTEGER,
    to_committed        INTEGER,
    incoming_id         TEXT,
    incoming            INTEGER CHECK (incoming >= 0),
    actor               TEXT
  );
  CREATE INDEX stock_moves_by_time ON stock_moves (at_ms);
  CREATE INDEX stock_moves_by_location ON stock_moves (location, seq) WHERE location IS NOT NULL;
  CREATE INDEX stock_moves_by_to_location ON stock_moves (to_location, seq) WHERE to_location IS NOT NULL;

  CREATE TABLE incoming (
    id             TEXT    PRIMARY KEY,
    location       TEXT    NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity >= 1),
    received       INTEGER NOT NULL CHECK (received >= 0),
    expected_at_ms INTEGER NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
};

export const PRODUCT_STOCK_SCHEMA: Schema = {
  parts: [IDEMPOTENCY_SCHEMA, SCHEDULE_SCHEMA, { owner: "product_stock", steps: STEPS, baseline: BASELINE }],
  legacy: { owner: "product_stock", included: ["idempotency", "schedule"] },
};

export const productStockSchema = (storage: DurableObjectStorage) => new LazySchema(storage, PRODUCT_STOCK_SCHEMA);
