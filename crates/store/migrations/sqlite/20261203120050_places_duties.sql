-- The Martyn's Law duty checklist of each registered place (issue 16,
-- deliverable 2): one row per place and duty whose status has been recorded
-- (a duty with no row is not started). A projection of `place_duty_recorded`.
CREATE TABLE place_duties (
    place_id    TEXT NOT NULL,
    duty        TEXT NOT NULL,
    status      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (place_id, duty)
);
