-- Indexes for the operators' lists, /stats and the reminder scan on a large claims table.
-- (bench/storage_scale.py: 200,000 claims, most of them closed.)

-- /claims: open claims by due date, read in index order and cut at the list limit. The WHERE is
-- the exact term storage/claims.py uses, so the planner can pick the partial index.
CREATE INDEX claims_open_by_due ON claims (due_date)
    WHERE status IN ('registered', 'in_progress', 'answered');

-- /overdue and the reminder scan: unanswered claims by due date (a range up to a date).
CREATE INDEX claims_unanswered_by_due ON claims (due_date)
    WHERE status IN ('registered', 'in_progress');

-- /stats: time to the first reply in microseconds, computed by SQLite from the stored UTC
-- instants (to_iso: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'), exactly as Python subtracts them; a
-- virtual column costs no space in the row, and its index gives the median without a sort.
ALTER TABLE claims ADD COLUMN first_reply_us INTEGER GENERATED ALWAYS AS (
    (unixepoch(substr(first_reply_at, 1, 19)) - unixepoch(substr(registered_at, 1, 19))) * 1000000
    + (CAST(substr(first_reply_at, 21, 6) AS INTEGER) - CAST(substr(registered_at, 21, 6) AS INTEGER))
) VIRTUAL;
CREATE INDEX claims_first_reply_us ON claims (first_reply_us) WHERE first_reply_at IS NOT NULL;

-- /stats, on-time share: replied claims by due date, the first reply's instant alongside.
CREATE INDEX claims_replied_by_due ON claims (due_date, first_reply_at) WHERE first_reply_at IS NOT NULL;
