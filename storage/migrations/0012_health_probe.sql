-- /healthz proves the database is writable by committing a real write: one row, overwritten
-- at each probe (a rolled-back write would not notice a full disk or a read-only file).
CREATE TABLE health_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);
