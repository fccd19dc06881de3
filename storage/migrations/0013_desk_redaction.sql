-- Redaction reaches the operators' desk (0006): a destroy request or the end of retention
-- (bot/erasure.py, bot/retention.py) empties what operators wrote about a claim, the same
-- once-only way as 0008 does for claims, follow-ups, replies and attachments. Notes and events
-- keep who wrote them, when and what happened (taken, closed, refused); their words can only
-- be emptied, stamped with redacted_at in the same UPDATE.

ALTER TABLE claim_notes ADD COLUMN redacted_at TEXT;
ALTER TABLE claim_events ADD COLUMN redacted_at TEXT;

DROP TRIGGER claim_notes_immutable;
CREATE TRIGGER claim_notes_immutable BEFORE UPDATE ON claim_notes
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.text IS NULL
          AND NEW.id IS OLD.id AND NEW.claim_id IS OLD.claim_id AND NEW.operator_id IS OLD.operator_id
          AND NEW.kind IS OLD.kind AND NEW.admin_message_id IS OLD.admin_message_id
          AND NEW.created_at IS OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'notes are kept as written; their content can only be redacted');
END;

-- detail holds a close kind ('duplicate', ...) or the reason an operator gave in their words.
DROP TRIGGER claim_events_append_only;
CREATE TRIGGER claim_events_append_only BEFORE UPDATE ON claim_events
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.detail IS NULL
          AND NEW.id IS OLD.id AND NEW.claim_id IS OLD.claim_id AND NEW.at IS OLD.at
          AND NEW.operator_id IS OLD.operator_id AND NEW.event IS OLD.event)
BEGIN
    SELECT RAISE(ABORT, 'claim events are append-only; their words can only be redacted');
END;
