-- A message Telegram refuses for good (400 Bad Request, e.g. a copied attachment that no longer
-- exists) is parked as 'dead' after a few tries, instead of holding up every later message to
-- the operators' chat. SQLite cannot change a CHECK constraint in place: rebuild the table.

CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id             INTEGER NOT NULL,
    claim_id            INTEGER REFERENCES claims (id),
    kind                TEXT NOT NULL CHECK (kind IN ('message', 'copy')),
    payload             TEXT NOT NULL,              -- JSON
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT NOT NULL,
    lease_until         TEXT,
    last_error          TEXT,
    telegram_message_id INTEGER,
    created_at          TEXT NOT NULL,
    delivered_at        TEXT
);

INSERT INTO outbox_new (id, chat_id, claim_id, kind, payload, state, attempts, next_attempt_at, lease_until,
                        last_error, telegram_message_id, created_at, delivered_at)
SELECT id, chat_id, claim_id, kind, payload, state, attempts, next_attempt_at, lease_until,
       last_error, telegram_message_id, created_at, delivered_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
