-- The records layer: one row for every access-controlled record, whatever its
-- kind, with the facts the access policy needs (marking, owning organisation,
-- parent). Capabilities keep their own fields in their own tables; teams and
-- shares (team_members, record_shares) hang off this row's id.
CREATE TABLE records (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    marking         TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    parent_id       TEXT REFERENCES records (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX records_organisation ON records (organisation_id);
CREATE INDEX records_kind ON records (kind);

-- Events created before the records layer.
INSERT INTO records (id, kind, marking, organisation_id, parent_id, created_at)
SELECT id, 'event', marking, organisation_id, NULL, created_at FROM planned_events;
