-- When each move reached D1, by D1's clock: projection lag is projected_at − at, readable from the data
-- (operators and the benchmark). Null for moves projected before this migration.
ALTER TABLE moves ADD COLUMN projected_at TEXT CHECK (projected_at IS NULL OR length(projected_at) = 24);
