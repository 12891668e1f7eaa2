-- A CTSA's flag on a registered place (issue 16, deliverable 4): one row per
-- place flagged now, with the reason and who set it when; clearing the flag
-- removes the row (the journal keeps both). A projection of `place_flagged`
-- and `place_flag_cleared`. The reason is OFFICIAL register text (ARCHITECTURE.md).
CREATE TABLE place_flags (
    place_id   TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    flagged_by TEXT NOT NULL,
    flagged_at TEXT NOT NULL,
    seq        INTEGER NOT NULL
);
