-- The journal: the single write path. Append-only; the triggers refuse any
-- UPDATE or DELETE made through SQL, and the keyed chain detects any made around them.
CREATE TABLE journal (
    seq          INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    organisation TEXT    NOT NULL,
    stream       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    marking      TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    chain        BLOB    NOT NULL
);
CREATE INDEX journal_stream ON journal (stream, seq);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- The last sequence number and chain value, updated in every append transaction.
CREATE TABLE journal_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    chain BLOB    NOT NULL
);
INSERT INTO journal_head (id, seq, chain) VALUES (1, 0, zeroblob(32));

-- Projections (state tables). Only the projector writes these.
CREATE TABLE reference_loads (
    name   TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    seq    INTEGER NOT NULL
);

CREATE TABLE threat_wordings (
    id            TEXT PRIMARY KEY,
    in_force_from TEXT NOT NULL,
    source        TEXT NOT NULL
);

CREATE TABLE threat_definitions (
    wording    TEXT NOT NULL REFERENCES threat_wordings (id),
    level      TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (wording, level)
);

CREATE TABLE response_mapping (
    threat_level   TEXT PRIMARY KEY,
    response_level TEXT NOT NULL,
    description    TEXT NOT NULL,
    source         TEXT NOT NULL
);

CREATE TABLE threat_series_closures (
    series    TEXT PRIMARY KEY,
    effective TEXT NOT NULL,
    note      TEXT NOT NULL,
    source    TEXT NOT NULL,
    seq       INTEGER NOT NULL
);

CREATE TABLE threat_level_changes (
    series      TEXT    NOT NULL,
    effective   TEXT    NOT NULL,
    level       TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    confidence  TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (series, effective)
);

CREATE TABLE attack_methodologies (
    id                  TEXT PRIMARY KEY,
    position            INTEGER NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    typical_mitigations TEXT NOT NULL,
    sources             TEXT NOT NULL,
    seq                 INTEGER NOT NULL
);

CREATE TABLE risk_matrix (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    seq  INTEGER NOT NULL
);

CREATE TABLE demo_seed (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    note TEXT NOT NULL,
    seq  INTEGER NOT NULL
);
