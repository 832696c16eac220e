-- (v1.2) Bundle definitions, as the bundle registry keeps them: the read model lists a bundle's availability
-- (GET /v1/stock?sku=) from its components' rows.
CREATE TABLE bundle_components (
  bundle_sku TEXT    NOT NULL,
  sku        TEXT    NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity >= 1),
  PRIMARY KEY (bundle_sku, sku)
) WITHOUT ROWID;
