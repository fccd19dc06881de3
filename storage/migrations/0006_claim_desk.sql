-- The operators' desk: explicit answers (drafts chosen as final / interim / internal note),
-- internal notes, the claim's event history, optimistic concurrency, stated reasons for closing.

-- Every transition bumps the version; an UPDATE ... WHERE version = ? that changes nothing means
-- another operator got there first, and that operator's action is what stands.
ALTER TABLE claims ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- Why a claim was closed: answered, refused, duplicate, withdrawn, other (close_reason: the
-- operator's words for 'other', shown to the applicant). resolution stays 'done' / 'refused'.
ALTER TABLE claims ADD COLUMN close_kind TEXT;
ALTER TABLE claims ADD COLUMN close_reason TEXT;

-- What an admin-chat message is to its claim: 'card' (the header), 'content' (the applicant's
-- text, attachments, follow-ups: replying to these drafts an answer), 'bot' (reminders, alerts,
-- confirmations, previews), 'operator' (an operator's answer or note). Rows written before this
-- migration were cards, texts, attachments and the bot's alerts alike: 'content' is what they
-- were treated as.
ALTER TABLE claim_messages ADD COLUMN role TEXT NOT NULL DEFAULT 'content';

-- final: stops the clock; interim: the clock keeps running; refusal: a reasoned refusal.
ALTER TABLE claim_replies ADD COLUMN role TEXT NOT NULL DEFAULT 'final';

-- Operators as they named themselves in Telegram at their last action (for history and cards).
CREATE TABLE claim_operators (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- An operator's message waiting for the choice: send as final answer, as interim message, or
-- keep as internal note. Kept here (not in memory) so the buttons still work after a restart.
CREATE TABLE claim_drafts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id            INTEGER NOT NULL REFERENCES claims (id),
    chat_id             INTEGER NOT NULL,
    message_id          INTEGER NOT NULL,          -- the operator's message (the first of an album)
    media_group_id      TEXT,
    operator_id         INTEGER NOT NULL,
    kind                TEXT NOT NULL,             -- text, photo, document, video, voice, ...
    text                TEXT,                      -- text or caption
    state               TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sending', 'final', 'interim', 'note')),
    lease_until         TEXT,                      -- while 'sending'
    preview_message_id  INTEGER,
    decided_by          INTEGER,
    decided_at          TEXT,
    created_at          TEXT NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX claim_drafts_album ON claim_drafts (chat_id, media_group_id) WHERE media_group_id IS NOT NULL;

-- The other messages of an album draft, in order.
CREATE TABLE claim_draft_parts (
    draft_id    INTEGER NOT NULL REFERENCES claim_drafts (id),
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (draft_id, message_id)
);

-- Internal notes: operators' words about a claim that never reach the applicant.
CREATE TABLE claim_notes (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id          INTEGER NOT NULL REFERENCES claims (id),
    operator_id       INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    text              TEXT,
    admin_message_id  INTEGER,
    created_at        TEXT NOT NULL
);
CREATE INDEX claim_notes_claim ON claim_notes (claim_id, id);
CREATE TRIGGER claim_notes_immutable BEFORE UPDATE ON claim_notes
BEGIN
    SELECT RAISE(ABORT, 'notes are kept as written');
END;

-- The claim's life as it happened: taken, closed (and why), refused, reopened. Append-only.
CREATE TABLE claim_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id     INTEGER NOT NULL REFERENCES claims (id),
    at           TEXT NOT NULL,
    operator_id  INTEGER,
    event        TEXT NOT NULL,                   -- taken, closed, refused, reopened
    detail       TEXT                             -- close kind, or the reason given
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, id);
CREATE TRIGGER claim_events_append_only BEFORE UPDATE ON claim_events
BEGIN
    SELECT RAISE(ABORT, 'claim events are append-only');
END;
