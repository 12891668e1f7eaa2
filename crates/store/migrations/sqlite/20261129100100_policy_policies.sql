-- Policy records (policy governance): reference, owner, start date and the
-- review cycle, so that an overdue review is flagged.
CREATE TABLE policies (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    reference       TEXT NOT NULL,
    body            TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    seq             INTEGER NOT NULL
);
