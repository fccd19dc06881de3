-- The foundation: users, consent records, advertising choices, the audit trail, FSM state.
-- Timestamps are UTC ISO 8601 text (sortable); the bot shows them in TIMEZONE.

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

-- One row per Telegram user who wrote to the bot. Only what the features need.
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,      -- Telegram user id
    language           TEXT CHECK (language IN ('kk', 'ru')),  -- chosen by the user; NULL = not chosen yet
    telegram_language  TEXT,                     -- language_code Telegram reported, to preselect
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT,
    username           TEXT,
    full_name          TEXT,                     -- as corrected by the user in /mydata
    phone              TEXT,                     -- only the user's own contact
    email              TEXT,
    ads_opt_in         INTEGER NOT NULL DEFAULT 0 CHECK (ads_opt_in IN (0, 1)),
    reachable          INTEGER NOT NULL DEFAULT 1 CHECK (reachable IN (0, 1)),
    unreachable_reason TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

-- The exact consent notice texts shown, by their SHA-256, so every record's hash can be checked.
CREATE TABLE consent_notices (
    sha256         TEXT PRIMARY KEY,
    policy_version TEXT NOT NULL,
    language       TEXT NOT NULL,
    text           TEXT NOT NULL,
    first_shown_at TEXT NOT NULL
);

-- Immutable: each decision is a new row (Law 94-V Art. 8; ISO/IEC TS 27560 record).
CREATE TABLE consent_records (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    record_uid     TEXT NOT NULL UNIQUE,          -- UUID, the record id in exports
    user_id        INTEGER NOT NULL REFERENCES users (id),
    policy_version TEXT NOT NULL,
    language       TEXT NOT NULL,
    decision       TEXT NOT NULL CHECK (decision IN ('given', 'declined', 'withdrawn')),
    channel        TEXT NOT NULL,
    notice_sha256  TEXT NOT NULL REFERENCES consent_notices (sha256),
    created_at     TEXT NOT NULL
);
CREATE INDEX consent_records_user ON consent_records (user_id, id);

CREATE TRIGGER consent_records_immutable_update BEFORE UPDATE ON consent_records
BEGIN
    SELECT RAISE(ABORT, 'consent records are immutable');
END;
CREATE TRIGGER consent_records_immutable_delete BEFORE DELETE ON consent_records
BEGIN
    SELECT RAISE(ABORT, 'consent records are immutable');
END;

-- Every change of the advertising choice, with its time; users.ads_opt_in is the current value.
CREATE TABLE ads_choices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    opted_in   INTEGER NOT NULL CHECK (opted_in IN (0, 1)),
    reason     TEXT NOT NULL,                     -- 'user', 'consent_withdrawn', 'broadcast_button'
    created_at TEXT NOT NULL
);
CREATE INDEX ads_choices_user ON ads_choices (user_id, id);

-- Append-only audit trail of data-subject events. details is JSON and never holds message
-- texts, phone numbers or e-mails: only what happened, to whom, by whom and when.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,                -- 'user:<id>', 'operator:<id>', 'system'
    subject_user_id INTEGER,
    event           TEXT NOT NULL,
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject_user_id, id);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- aiogram FSM state, JSON-encoded, so a user in the middle of a flow survives a restart.
CREATE TABLE fsm_states (
    storage_key TEXT PRIMARY KEY,
    state       TEXT,
    data        TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);
