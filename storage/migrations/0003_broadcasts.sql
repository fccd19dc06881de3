-- Staff broadcasts and policy publications.
-- A broadcast copies one message from the admin chat (or, for a policy-update notice, renders
-- it per user language) to an audience. Every recipient has a row, so a broadcast interrupted
-- by a crash resumes where it stopped and nobody receives it twice.

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL CHECK (kind IN ('all', 'policy', 'incident', 'ads')),
    state               TEXT NOT NULL CHECK (state IN ('draft', 'running', 'done', 'cancelled', 'discarded')),
    source_chat_id      INTEGER,                 -- the admin chat; NULL for a rendered policy notice
    source_message_id   INTEGER,
    target_ids          TEXT,                    -- JSON list of user ids (incident to a list); NULL = everyone
    policy_version      TEXT,                    -- the version a policy notice announces
    paid                INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
    created_by          INTEGER NOT NULL,        -- operator's Telegram id
    locale              TEXT NOT NULL DEFAULT 'ru',  -- language of the operators' progress texts
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    total               INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    finished_at         TEXT
);
CREATE INDEX broadcasts_state ON broadcasts (state, id);

-- One row per (broadcast, user). 'sending' is written before the API call and 'sent' after it;
-- a row found in 'sending' after a restart becomes 'uncertain' (maybe delivered) and is never
-- sent again. last_error holds the error class and Telegram's description, never message text.
CREATE TABLE broadcast_recipients (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    user_id      INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sending', 'sent', 'uncertain', 'unreachable', 'failed', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TEXT,
    message_id   INTEGER,                        -- the copy's id in the user's chat
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
CREATE INDEX broadcast_recipients_state ON broadcast_recipients (broadcast_id, state, user_id);

-- Which policy version was published when and by whom (the baseline is recorded at first start).
CREATE TABLE policy_publications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    version      TEXT NOT NULL UNIQUE,
    published_by TEXT NOT NULL,                  -- 'operator:<id>' or 'system'
    published_at TEXT NOT NULL,
    broadcast_id INTEGER REFERENCES broadcasts (id)
);
