-- Security coordinators (seed 001, the SECO SOP): the roster and its notes,
-- each organisation's national capacity and CTSU, deployment requests with
-- every step, and vacancies.
CREATE TABLE seco_settings (
    organisation_id      TEXT PRIMARY KEY,
    national_capacity    BIGINT,
    ctsu_organisation_id TEXT,
    seq                  BIGINT NOT NULL
);

CREATE TABLE secos (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    rank            TEXT NOT NULL,
    status          TEXT NOT NULL,
    user_id         TEXT,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    seq             BIGINT NOT NULL
);
CREATE INDEX secos_organisation ON secos (organisation_id, status);

CREATE TABLE seco_notes (
    seq         BIGINT PRIMARY KEY,
    seco_id     TEXT NOT NULL REFERENCES secos (id),
    kind        TEXT NOT NULL,
    noted_on    TEXT NOT NULL,
    until_on    TEXT,
    body        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX seco_notes_seco ON seco_notes (seco_id, kind, noted_on);

CREATE TABLE seco_requests (
    id                   TEXT PRIMARY KEY,
    event_id             TEXT NOT NULL,
    organisation_id      TEXT NOT NULL,
    ctsu_organisation_id TEXT NOT NULL,
    gold_user_id         TEXT NOT NULL,
    status               TEXT NOT NULL,
    starts_at            TEXT NOT NULL,
    ends_at              TEXT NOT NULL,
    body                 TEXT NOT NULL,
    discussion           TEXT,
    seco_id              TEXT,
    justification        TEXT,
    decision_reason      TEXT,
    decided_by           TEXT,
    decided_at           TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    seq                  BIGINT NOT NULL
);
CREATE INDEX seco_requests_event ON seco_requests (event_id, status);
CREATE INDEX seco_requests_seco ON seco_requests (seco_id, status);

CREATE TABLE seco_request_steps (
    seq        BIGINT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES seco_requests (id),
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX seco_request_steps_request ON seco_request_steps (request_id, seq);

CREATE TABLE seco_vacancies (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    seq             BIGINT NOT NULL
);
