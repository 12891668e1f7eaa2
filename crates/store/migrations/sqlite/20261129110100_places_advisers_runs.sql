-- Advisers (CTSAs and CTAAs) and allocation runs (issue 16). `advisers` and
-- `allocation_runs` are projections of journal events. `allocation_run_advisers`
-- and `allocation_results` are a run's computed results (the instance solved and
-- the adviser chosen for each place): kept beside the run's journal event, whose
-- `instance_sha256` they must match, and not replayed (ARCHITECTURE.md).
CREATE TABLE advisers (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    base_latitude  REAL NOT NULL,
    base_longitude REAL NOT NULL,
    hours          REAL NOT NULL,
    travel_km      REAL NOT NULL,
    sectors        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    seq            INTEGER NOT NULL
);

CREATE TABLE allocation_runs (
    id               TEXT PRIMARY KEY,
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    objective        REAL NOT NULL,
    upper_bound      REAL NOT NULL,
    gap              REAL NOT NULL,
    places           INTEGER NOT NULL,
    advisers         INTEGER NOT NULL,
    places_allocated INTEGER NOT NULL,
    seconds          REAL NOT NULL,
    national_level   TEXT NOT NULL,
    instance_sha256  TEXT NOT NULL,
    scored_on        TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    seq              INTEGER NOT NULL
);

CREATE TABLE allocation_run_advisers (
    run_id     TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    adviser_id TEXT NOT NULL,
    hours      REAL NOT NULL,
    travel_km  REAL NOT NULL,
    latitude   REAL NOT NULL,
    longitude  REAL NOT NULL,
    used       REAL NOT NULL,
    last_rank  INTEGER NOT NULL,
    PRIMARY KEY (run_id, idx)
);

CREATE TABLE allocation_results (
    run_id      TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    place_id    TEXT NOT NULL,
    score       REAL NOT NULL,
    hours       REAL NOT NULL,
    latitude    REAL NOT NULL,
    longitude   REAL NOT NULL,
    place_rank  INTEGER NOT NULL,
    adviser_idx INTEGER NOT NULL,
    PRIMARY KEY (run_id, idx)
);
CREATE INDEX allocation_results_place ON allocation_results (run_id, place_id);
CREATE INDEX allocation_results_adviser ON allocation_results (run_id, adviser_idx, place_rank);
