-- Contract v1.1: each SKU's low_stock_threshold (set with PUT /v1/products/:sku/settings), projected beside
-- its stock, and GET /v1/stock?low=true (available at or below it). The partial index holds only the SKUs
-- that are low now, in sku order, so a page of them is a walk of that index whatever the catalog's size.
ALTER TABLE stock ADD COLUMN low_stock_threshold INTEGER CHECK (low_stock_threshold BETWEEN 0 AND 1000000);

CREATE INDEX stock_low ON stock (sku) WHERE low_stock_threshold IS NOT NULL AND available <= low_stock_threshold;
