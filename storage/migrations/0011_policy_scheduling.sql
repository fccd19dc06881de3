-- Policy publications that take effect later (scheduled), can be withdrawn before they do, and
-- record when they came into force. A withdrawn date may be published again, so the version is
-- unique only among live (not withdrawn) publications: SQLite cannot drop a UNIQUE constraint
-- in place, so the table is rebuilt. Nothing references it.

CREATE TABLE policy_publications_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    version      TEXT NOT NULL,                  -- the folder name, YYYY-MM-DD: the effective date
    published_by TEXT NOT NULL,                  -- 'operator:<id>' or 'system'
    published_at TEXT NOT NULL,
    broadcast_id INTEGER REFERENCES broadcasts (id),  -- the notice; NULL only for the baseline
    in_force_at  TEXT,                           -- when it became current (NULL while scheduled)
    withdrawn_by TEXT,
    withdrawn_at TEXT
);

INSERT INTO policy_publications_new (id, version, published_by, published_at, broadcast_id, in_force_at)
SELECT id, version, published_by, published_at, broadcast_id, published_at FROM policy_publications;

DROP TABLE policy_publications;

ALTER TABLE policy_publications_new RENAME TO policy_publications;

CREATE UNIQUE INDEX policy_publications_live ON policy_publications (version) WHERE withdrawn_at IS NULL;
