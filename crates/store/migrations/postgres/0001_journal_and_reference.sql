-- The journal: the single write path. Append-only; the trigger refuses any
-- UPDATE or DELETE made through SQL, and the keyed chain detects any made around it.
CREATE TABLE journal (
    seq          BIGINT PRIMARY KEY,
    at           TEXT   NOT NULL,
    actor        TEXT   NOT NULL,
    organisation TEXT   NOT NULL,
    stream       TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    marking      TEXT   NOT NULL,
    payload      TEXT   NOT NULL,
    chain        BYTEA  NOT NULL
);
CREATE INDEX journal_stream ON journal (stream, seq);

CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END;
$$;
CREATE TRIGGER journal_no_change BEFORE UPDATE OR DELETE ON journal
FOR EACH ROW EXECUTE FUNCTION journal_append_only();

CREATE TABLE journal_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    chain BYTEA  NOT NULL
);
INSERT INTO journal_head (id, seq, chain) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE reference_loads (
    name   TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    seq    BIGINT NOT NULL
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
    seq       BIGINT NOT NULL
);

CREATE TABLE threat_level_changes (
    series      TEXT   NOT NULL,
    effective   TEXT   NOT NULL,
    level       TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    confidence  TEXT   NOT NULL,
    recorded_by TEXT   NOT NULL,
    recorded_at TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (series, effective)
);

CREATE TABLE attack_methodologies (
    id                  TEXT PRIMARY KEY,
    position            BIGINT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    typical_mitigations TEXT NOT NULL,
    sources             TEXT NOT NULL,
    seq                 BIGINT NOT NULL
);

CREATE TABLE risk_matrix (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    seq  BIGINT NOT NULL
);

CREATE TABLE demo_seed (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    note TEXT NOT NULL,
    seq  BIGINT NOT NULL
);
