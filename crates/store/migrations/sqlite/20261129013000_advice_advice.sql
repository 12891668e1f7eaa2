-- Security advice and reviews (seed 000): the request and its current draft,
-- the issued versions (immutable, numbered, hashed), and the library of
-- general security considerations that advice is written from.
CREATE TABLE advice (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    event_id        TEXT,
    content         TEXT NOT NULL,
    marking         TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    seq             INTEGER NOT NULL
);
CREATE INDEX advice_organisation ON advice (organisation_id);

CREATE TABLE advice_versions (
    advice_id TEXT NOT NULL REFERENCES advice (id),
    number    INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    body      TEXT NOT NULL,
    hash      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (advice_id, number)
);

CREATE TABLE security_considerations (
    id         TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    topic      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TRIGGER advice_versions_no_update BEFORE UPDATE ON advice_versions
BEGIN SELECT RAISE(ABORT, 'issued versions never change'); END;
