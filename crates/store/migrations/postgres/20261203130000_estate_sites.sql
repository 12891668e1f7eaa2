-- The police estate (issue 13): sites with the threat level and floor in
-- force for them, the response level they run at, a raise above the floor
-- (who, why, until when) and the staff who work there.
CREATE TABLE sites (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    address         TEXT NOT NULL,
    division        TEXT NOT NULL,
    threat_level    TEXT,
    floor           TEXT NOT NULL,
    floor_rank      BIGINT NOT NULL,
    response_level  TEXT NOT NULL,
    raised_level    TEXT,
    raised_rank     BIGINT,
    raised_reason   TEXT,
    raised_by       TEXT,
    raised_at       TEXT,
    raised_until    TEXT,
    created_at      TEXT NOT NULL,
    seq             BIGINT NOT NULL
);
CREATE INDEX sites_organisation_name ON sites (organisation_id, name, id);

CREATE TABLE site_staff (
    site_id  TEXT NOT NULL REFERENCES sites (id),
    user_id  TEXT NOT NULL,
    added_at TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX site_staff_user ON site_staff (user_id);
