-- Contract v1.2: an Idempotency-Key of POST /v1/webhooks lasts 24 h, and webhook ids are random, never derived
-- from the key. The key and the request's fingerprint are kept on the subscription's row; a key older than
-- 24 h is cleared when it is used again. The unique index lets two concurrent creates under one key make one
-- subscription.
ALTER TABLE webhooks ADD COLUMN idempotency_key TEXT;
ALTER TABLE webhooks ADD COLUMN fingerprint TEXT;
CREATE UNIQUE INDEX webhooks_by_idempotency_key ON webhooks (idempotency_key) WHERE idempotency_key IS NOT NULL;
