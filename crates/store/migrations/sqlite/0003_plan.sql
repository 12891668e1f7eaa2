-- The CT protective security plan: draft items, issued versions, endorsements.
ALTER TABLE planned_events ADD COLUMN gold_user_id TEXT;
ALTER TABLE planned_events ADD COLUMN silver_user_id TEXT;

-- The draft, one row per item (projection).
CREATE TABLE plan_items (
    event_id   TEXT NOT NULL REFERENCES planned_events (id),
    section    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    position   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (event_id, section, item_id)
);

-- Issued versions: immutable snapshots (projection; never updated).
CREATE TABLE plan_versions (
    event_id  TEXT NOT NULL REFERENCES planned_events (id),
    number    INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    reason    TEXT NOT NULL,
    body      TEXT NOT NULL,
    hash      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (event_id, number)
);

CREATE TABLE plan_endorsements (
    event_id    TEXT NOT NULL,
    number      INTEGER NOT NULL,
    endorsed_by TEXT NOT NULL,
    endorsed_at TEXT NOT NULL,
    conditions  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (event_id, number)
);

-- Attachment bytes, addressed by their SHA-256 (operational: immutable, written
-- in the same transaction as the journal event that records the hash).
CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL
);
CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions
BEGIN SELECT RAISE(ABORT, 'issued versions never change'); END;
