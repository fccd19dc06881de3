-- Blocking and destroying a person's data, and retention (README, "Erasure, blocking and retention").
--
-- Claims, follow-ups, replies and attachments stay append-only, with one narrow exception:
-- redaction. A row's content may change exactly once, and only to emptiness ('' or NULL),
-- stamped with redacted_at in the same UPDATE. Nothing can fill content in again, change it to
-- something else, or move or clear the stamp; what the record proves (number, type, dates,
-- status, who handled it) can never change. Consent records and the audit log are not touched.

-- A person whose processing is blocked (Law 94-V Art. 25(2)(8)): until an operator unblocks.
ALTER TABLE users ADD COLUMN blocked_at TEXT;
-- When the person's data were destroyed on request (the row keeps only the Telegram id,
-- the chosen language to talk to them, and the flags).
ALTER TABLE users ADD COLUMN erased_at TEXT;

ALTER TABLE claims ADD COLUMN redacted_at TEXT;
ALTER TABLE claim_followups ADD COLUMN redacted_at TEXT;
ALTER TABLE claim_replies ADD COLUMN redacted_at TEXT;
ALTER TABLE claim_attachments ADD COLUMN redacted_at TEXT;
-- A delivered message for the operators keeps its metadata; its payload is purged.
ALTER TABLE outbox ADD COLUMN redacted_at TEXT;

-- claims: identity never changes; the text (and redacted_at) only through a redaction.
DROP TRIGGER claims_text_immutable;
CREATE TRIGGER claims_identity_immutable BEFORE UPDATE OF user_id, type, registered_at, number ON claims
WHEN NEW.user_id IS NOT OLD.user_id OR NEW.type IS NOT OLD.type
  OR NEW.registered_at IS NOT OLD.registered_at OR NEW.number IS NOT OLD.number
BEGIN
    SELECT RAISE(ABORT, 'a registered claim is immutable');
END;
CREATE TRIGGER claims_content_redaction_only BEFORE UPDATE OF text, redacted_at ON claims
WHEN (NEW.text IS NOT OLD.text OR NEW.redacted_at IS NOT OLD.redacted_at)
 AND NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.text = '')
BEGIN
    SELECT RAISE(ABORT, 'a registered claim is immutable; its content can only be redacted');
END;

-- follow-ups: immutable, except the one redaction of their text.
DROP TRIGGER claim_followups_immutable;
CREATE TRIGGER claim_followups_immutable BEFORE UPDATE ON claim_followups
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.text IS NULL
          AND NEW.id IS OLD.id AND NEW.claim_id IS OLD.claim_id AND NEW.created_at IS OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'follow-ups are immutable; their content can only be redacted');
END;
CREATE TRIGGER claim_followups_no_delete BEFORE DELETE ON claim_followups
BEGIN
    SELECT RAISE(ABORT, 'follow-ups are kept');
END;

-- operators' replies: the record of an answer given; only its text can be redacted.
CREATE TRIGGER claim_replies_immutable BEFORE UPDATE ON claim_replies
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.text IS NULL
          AND NEW.id IS OLD.id AND NEW.claim_id IS OLD.claim_id AND NEW.operator_id IS OLD.operator_id
          AND NEW.kind IS OLD.kind AND NEW.admin_message_id IS OLD.admin_message_id
          AND NEW.user_message_id IS OLD.user_message_id AND NEW.created_at IS OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'replies are immutable; their content can only be redacted');
END;
CREATE TRIGGER claim_replies_no_delete BEFORE DELETE ON claim_replies
BEGIN
    SELECT RAISE(ABORT, 'replies are kept');
END;

-- attachments: the file id (which opens the file at Telegram) and name can only be redacted.
CREATE TRIGGER claim_attachments_immutable BEFORE UPDATE ON claim_attachments
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.file_id = '' AND NEW.file_name IS NULL
          AND NEW.id IS OLD.id AND NEW.claim_id IS OLD.claim_id AND NEW.followup_id IS OLD.followup_id
          AND NEW.kind IS OLD.kind AND NEW.chat_id IS OLD.chat_id AND NEW.message_id IS OLD.message_id
          AND NEW.created_at IS OLD.created_at)
BEGIN
    SELECT RAISE(ABORT, 'attachments are immutable; their content can only be redacted');
END;
CREATE TRIGGER claim_attachments_no_delete BEFORE DELETE ON claim_attachments
BEGIN
    SELECT RAISE(ABORT, 'attachments are kept');
END;

-- Retention scans: closed claims by closing time, delivered outbox rows by delivery time.
CREATE INDEX claims_closed_unredacted ON claims (closed_at) WHERE status = 'closed' AND redacted_at IS NULL;
CREATE INDEX outbox_delivered_unredacted ON outbox (delivered_at) WHERE redacted_at IS NULL AND state IN ('delivered', 'dead');
CREATE INDEX fsm_states_updated ON fsm_states (updated_at);
