-- The police estate's menu of options (per organisation), what is decided
-- about each option at each site, the move-to-critical contingency plan and
-- its activations with their checklist (issue 13, seed 002).
CREATE TABLE estate_options (
    organisation_id TEXT NOT NULL,
    id              TEXT NOT NULL,
    body            TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id)
);

CREATE TABLE site_options (
    site_id     TEXT NOT NULL REFERENCES sites (id),
    option_id   TEXT NOT NULL,
    decision    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (site_id, option_id)
);

CREATE TABLE estate_critical_plans (
    organisation_id TEXT PRIMARY KEY,
    body            TEXT NOT NULL,
    saved_by        TEXT NOT NULL,
    saved_at        TEXT NOT NULL,
    seq             INTEGER NOT NULL
);

CREATE TABLE estate_activations (
    id                TEXT PRIMARY KEY,
    organisation_id   TEXT NOT NULL,
    reason            TEXT NOT NULL,
    trigger_kind      TEXT NOT NULL,
    threat_level      TEXT,
    started_by        TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    stood_down_by     TEXT,
    stood_down_at     TEXT,
    stood_down_reason TEXT,
    seq               INTEGER NOT NULL
);
CREATE INDEX estate_activations_organisation ON estate_activations (organisation_id, started_at);

CREATE TABLE estate_activation_steps (
    activation_id TEXT NOT NULL REFERENCES estate_activations (id),
    step          INTEGER NOT NULL,
    action        TEXT NOT NULL,
    owner_role    TEXT NOT NULL,
    done_by       TEXT,
    done_at       TEXT,
    note          TEXT,
    PRIMARY KEY (activation_id, step)
);
