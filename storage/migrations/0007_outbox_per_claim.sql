-- The outbox keeps order only where it matters: within one claim. Rows with the same
-- order_key go out in id order; rows with different keys (other claims) or none (a notice
-- without a claim) are independent, so one claim's trouble never holds back another's.
-- failure: what the last failed attempt says about the row (see storage/outbox.py), so a
-- success to the chat can clear the back-off of rows that waited only because the chat did;
-- refusals: how often Telegram refused this very message (only these count towards parking).
ALTER TABLE outbox ADD COLUMN order_key TEXT;
ALTER TABLE outbox ADD COLUMN failure TEXT;
ALTER TABLE outbox ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET order_key = 'claim:' || claim_id WHERE claim_id IS NOT NULL;
CREATE INDEX outbox_order ON outbox (order_key, id);
