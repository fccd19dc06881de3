-- Written claims and data-subject requests, their follow-ups, operators' replies, deadline alerts,
-- and the outbox through which every message for the operators is delivered (and retried).

CREATE TABLE claims (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,            -- human-friendly: 2026-0007
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    type            TEXT NOT NULL CHECK (type IN ('claim', 'access', 'change', 'block', 'destroy')),
    text            TEXT NOT NULL,                   -- immutable (trigger below)
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
    UNIQUE (year, seq)
);
CREATE INDEX claims_user ON claims (user_id, id);
CREATE INDEX claims_open ON claims (status, due_date);

CREATE TRIGGER claims_text_immutable BEFORE UPDATE OF text, user_id, type, registered_at, number ON claims
WHEN NEW.text IS NOT OLD.text OR NEW.user_id IS NOT OLD.user_id OR NEW.type IS NOT OLD.type
  OR NEW.registered_at IS NOT OLD.registered_at OR NEW.number IS NOT OLD.number
BEGIN
    SELECT RAISE(ABORT, 'a registered claim is immutable');
END;
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'claims are kept');
END;

-- The user's later additions to an open claim; immutable like the claim text.
CREATE TABLE claim_followups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id    INTEGER NOT NULL REFERENCES claims (id),
    text        TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX claim_followups_claim ON claim_followups (claim_id, id);
CREATE TRIGGER claim_followups_immutable BEFORE UPDATE ON claim_followups
BEGIN
    SELECT RAISE(ABORT, 'follow-ups are immutable');
END;

-- Photos and documents the user attached (the message stays in the user's chat; it is copied).
CREATE TABLE claim_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id     INTEGER NOT NULL REFERENCES claims (id),
    followup_id  INTEGER REFERENCES claim_followups (id),
    kind         TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    file_id      TEXT NOT NULL,
    file_name    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX claim_attachments_claim ON claim_attachments (claim_id, id);

-- Every operator's answer delivered to the user.
CREATE TABLE claim_replies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id         INTEGER NOT NULL REFERENCES claims (id),
    operator_id      INTEGER NOT NULL,
    kind             TEXT NOT NULL,                 -- text, photo, document, other, refusal
    text             TEXT,                          -- text or caption, shown in /myclaims
    admin_message_id INTEGER,
    user_message_id  INTEGER,
    created_at       TEXT NOT NULL
);
CREATE INDEX claim_replies_claim ON claim_replies (claim_id, id);

-- Which admin-chat messages belong to which claim (replying to any of them answers the claim).
CREATE TABLE claim_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    claim_id   INTEGER NOT NULL REFERENCES claims (id),
    PRIMARY KEY (chat_id, message_id)
);

-- Reminders and overdue alerts already emitted, so nothing is sent twice (also after a restart).
CREATE TABLE claim_alerts (
    claim_id   INTEGER NOT NULL REFERENCES claims (id),
    kind       TEXT NOT NULL CHECK (kind IN ('reminder', 'overdue')),
    key        TEXT NOT NULL,                      -- days before due ('7') or the local date
    created_at TEXT NOT NULL,
    PRIMARY KEY (claim_id, kind, key)
);

-- Messages the operators must see: written in the same transaction as the event, sent after.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id             INTEGER NOT NULL,
    claim_id            INTEGER REFERENCES claims (id),
    kind                TEXT NOT NULL CHECK (kind IN ('message', 'copy')),
    payload             TEXT NOT NULL,              -- JSON
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT NOT NULL,
    lease_until         TEXT,
    last_error          TEXT,
    telegram_message_id INTEGER,
    created_at          TEXT NOT NULL,
    delivered_at        TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
