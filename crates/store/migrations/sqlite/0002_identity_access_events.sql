-- Identity, access and the first marked records (events and operations).

-- Projections (written only by the projector).
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq        INTEGER NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    roles            TEXT NOT NULL,
    clearance        TEXT NOT NULL,
    active           INTEGER NOT NULL,
    totp_enabled     INTEGER NOT NULL,
    -- Raised whenever roles, clearance, organisation, password or status change;
    -- a session made under an older version is no longer valid.
    security_version INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    seq              INTEGER NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    seq        INTEGER NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE planned_events (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL,
    starts_at           TEXT NOT NULL,
    ends_at             TEXT NOT NULL,
    expected_attendance INTEGER NOT NULL,
    marking             TEXT NOT NULL,
    organisation_id     TEXT NOT NULL REFERENCES organisations (id),
    status              TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    seq                 INTEGER NOT NULL
);
CREATE INDEX planned_events_org ON planned_events (organisation_id, starts_at);
CREATE INDEX planned_events_status ON planned_events (status, starts_at);
CREATE INDEX planned_events_kind ON planned_events (kind, starts_at);

CREATE TABLE event_venues (
    event_id TEXT NOT NULL REFERENCES planned_events (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    address  TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);

-- A record's team: its need-to-know group.
CREATE TABLE team_members (
    record_id TEXT NOT NULL,
    user_id   TEXT NOT NULL REFERENCES users (id),
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE record_shares (
    record_id       TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    seq             INTEGER NOT NULL,
    PRIMARY KEY (record_id, organisation_id)
);
CREATE INDEX record_shares_org ON record_shares (organisation_id);

-- Operational tables: not projections, never replayed.
-- Credentials are kept out of the journal so a hash is never immortal; the
-- journal records that a password changed, not the password.
CREATE TABLE credentials (
    user_id        TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    totp_secret    TEXT,
    totp_last_step INTEGER,
    updated_at     TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash          TEXT PRIMARY KEY,
    public_id        TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL,
    security_version INTEGER NOT NULL,
    csrf_token       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    ip               TEXT NOT NULL,
    user_agent       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_at       TEXT NOT NULL,
    blocked_until TEXT NOT NULL
);

-- The access log: every denial and every read of OFFICIAL-SENSITIVE or SECRET
-- material, chained like the journal.
CREATE TABLE access_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    organisation TEXT NOT NULL,
    stream       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    marking      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    chain        BLOB NOT NULL
);
CREATE INDEX access_log_actor ON access_log (actor, seq);

CREATE TABLE access_log_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    chain BLOB NOT NULL
);
INSERT INTO access_log_head (id, seq, chain) VALUES (1, 0, zeroblob(32));
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
