-- Advisers (CTSAs and CTAAs) and allocation runs (issue 16). `advisers` and
-- `allocation_runs` are projections of journal events. `allocation_run_advisers`
-- and `allocation_results` are a run's computed results (the instance solved and
-- the adviser chosen for each place): kept beside the run's journal event, whose
-- `instance_sha256` they must match, and not replayed (ARCHITECTURE.md).
CREATE TABLE advisers (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    base_latitude  DOUBLE PRECISION NOT NULL,
    base_longitude DOUBLE PRECISION NOT NULL,
    hours          DOUBLE PRECISION NOT NULL,
    travel_km      DOUBLE PRECISION NOT NULL,
    sectors        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    seq            BIGINT NOT NULL
);

CREATE TABLE allocation_runs (
    id               TEXT PRIMARY KEY,
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    objective        DOUBLE PRECISION NOT NULL,
    upper_bound      DOUBLE PRECISION NOT NULL,
    gap              DOUBLE PRECISION NOT NULL,
    places           BIGINT NOT NULL,
    advisers         BIGINT NOT NULL,
    places_allocated BIGINT NOT NULL,
    seconds          DOUBLE PRECISION NOT NULL,
    national_level   TEXT NOT NULL,
    instance_sha256  TEXT NOT NULL,
    scored_on        TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    seq              BIGINT NOT NULL
);

CREATE TABLE allocation_run_advisers (
    run_id     TEXT NOT NULL,
    idx        BIGINT NOT NULL,
    adviser_id TEXT NOT NULL,
    hours      DOUBLE PRECISION NOT NULL,
    travel_km  DOUBLE PRECISION NOT NULL,
    latitude   DOUBLE PRECISION NOT NULL,
    longitude  DOUBLE PRECISION NOT NULL,
    used       DOUBLE PRECISION NOT NULL,
    last_rank  BIGINT NOT NULL,
    PRIMARY KEY (run_id, idx)
);

CREATE TABLE allocation_results (
    run_id      TEXT NOT NULL,
    idx         BIGINT NOT NULL,
    place_id    TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    hours       DOUBLE PRECISION NOT NULL,
    latitude    DOUBLE PRECISION NOT NULL,
    longitude   DOUBLE PRECISION NOT NULL,
    place_rank  BIGINT NOT NULL,
    adviser_idx BIGINT NOT NULL,
    PRIMARY KEY (run_id, idx)
);
CREATE INDEX allocation_results_place ON allocation_results (run_id, place_id);
CREATE INDEX allocation_results_adviser ON allocation_results (run_id, adviser_idx, place_rank);
