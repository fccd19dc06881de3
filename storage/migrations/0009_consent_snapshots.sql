-- What each consent decision covered, as shown: purposes (a list), data, term, transfer flags with
-- recipients and countries, the policy version and the notice hash (JSON, written by bot/consent.py
-- notice_snapshot). The export reads this, never today's settings. Records made before this
-- migration keep NULL: their notice text (consent_notices, by hash) is the evidence.
-- ALTER TABLE ... ADD COLUMN changes no row, so the immutability triggers stay as they are.
ALTER TABLE consent_records ADD COLUMN snapshot TEXT;

-- The person's export lists the notices (broadcasts) they received: find them by person.
CREATE INDEX broadcast_recipients_user ON broadcast_recipients (user_id, broadcast_id);
