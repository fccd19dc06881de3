-- migration: foreign_keys=off
-- Any request type the registry knows (bot/request_types.py) can be stored: claims loses its
-- CHECK (type IN ('claim', 'access', 'change', 'block', 'destroy')) list; filing a type the
-- registry does not know is refused by the service (bot/claims.py), not here.
--
-- SQLite cannot drop a CHECK with ALTER TABLE, so this is its documented rebuild procedure
-- (https://www.sqlite.org/lang_altertable.html#otheralter), steps 4-9 here; the runner
-- (storage/db.py) does 1-3 and 10-12: foreign keys off outside the transaction (the first line
-- above asks for it), PRAGMA foreign_key_check before the commit, foreign keys back on.
-- claim_followups, claim_attachments, claim_replies, claim_messages, claim_alerts, outbox,
-- claim_drafts, claim_notes and claim_events point to claims (id); ids are copied unchanged.
--
-- The new table is the claims table as migrations 0002, 0004, 0006 and 0008 left it (columns in
-- the same order, the generated first_reply_us included), without the type list. Its indexes
-- and triggers are recreated exactly as `SELECT sql FROM sqlite_master WHERE tbl_name = 'claims'`
-- showed them after 0013 (0002, 0004, 0008), plus one index on type for /stats.

CREATE TABLE claims_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,            -- human-friendly: 2026-0007
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    type            TEXT NOT NULL,                   -- a code of the registry (bot/request_types.py)
    text            TEXT NOT NULL,                   -- immutable but for redaction (triggers below)
    language        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'registered'
                    CHECK (status IN ('registered', 'in_progress', 'answered', 'closed')),
    registered_at   TEXT NOT NULL,
    days            INTEGER NOT NULL,
    days_kind       TEXT NOT NULL CHECK (days_kind IN ('calendar', 'working')),
    due_date        TEXT NOT NULL,                   -- YYYY-MM-DD in TIMEZONE
    taken_by        INTEGER,
    taken_at        TEXT,
    first_reply_at  TEXT,
    first_reply_by  INTEGER,
    closed_at       TEXT,
    closed_by       INTEGER,
    resolution      TEXT CHECK (resolution IN ('done', 'refused')),
    refusal_reason  TEXT,
    topic_id        INTEGER,                         -- forum topic in the admin chat
    updated_at      TEXT NOT NULL,
    first_reply_us  INTEGER GENERATED ALWAYS AS (
        (unixepoch(substr(first_reply_at, 1, 19)) - unixepoch(substr(registered_at, 1, 19))) * 1000000
        + (CAST(substr(first_reply_at, 21, 6) AS INTEGER) - CAST(substr(registered_at, 21, 6) AS INTEGER))
    ) VIRTUAL,
    version         INTEGER NOT NULL DEFAULT 0,
    close_kind      TEXT,
    close_reason    TEXT,
    redacted_at     TEXT,
    UNIQUE (year, seq)
);

INSERT INTO claims_new (
    id, number, year, seq, user_id, type, text, language, status, registered_at, days, days_kind,
    due_date, taken_by, taken_at, first_reply_at, first_reply_by, closed_at, closed_by, resolution,
    refusal_reason, topic_id, updated_at, version, close_kind, close_reason, redacted_at
)
SELECT
    id, number, year, seq, user_id, type, text, language, status, registered_at, days, days_kind,
    due_date, taken_by, taken_at, first_reply_at, first_reply_by, closed_at, closed_by, resolution,
    refusal_reason, topic_id, updated_at, version, close_kind, close_reason, redacted_at
FROM claims;

-- AUTOINCREMENT: the new table continues the old one's sequence, so no claim id is ever reused.
DELETE FROM sqlite_sequence WHERE name = 'claims_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'claims_new', seq FROM sqlite_sequence WHERE name = 'claims';

-- With foreign keys off, DROP TABLE neither deletes the rows one by one (claims_no_delete would
-- refuse) nor checks the tables that point here; its indexes and triggers go with it.
DROP TABLE claims;
ALTER TABLE claims_new RENAME TO claims;

-- 0002
CREATE INDEX claims_user ON claims (user_id, id);
CREATE INDEX claims_open ON claims (status, due_date);
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'claims are kept');
END;

-- 0004
CREATE INDEX claims_open_by_due ON claims (due_date)
    WHERE status IN ('registered', 'in_progress', 'answered');
CREATE INDEX claims_unanswered_by_due ON claims (due_date)
    WHERE status IN ('registered', 'in_progress');
CREATE INDEX claims_first_reply_us ON claims (first_reply_us) WHERE first_reply_at IS NOT NULL;
CREATE INDEX claims_replied_by_due ON claims (due_date, first_reply_at) WHERE first_reply_at IS NOT NULL;

-- 0008
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
CREATE INDEX claims_closed_unredacted ON claims (closed_at) WHERE status = 'closed' AND redacted_at IS NULL;

-- /stats counts claims by type (storage.claims.count_by_type) from this index, not the table.
CREATE INDEX claims_by_type ON claims (type);
