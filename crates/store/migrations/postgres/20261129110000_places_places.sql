-- The register of crowded places (issue 16). Reference-like register data,
-- readable by every police user: not marked records (ARCHITECTURE.md).
-- `tier` is the Martyn's Law tier computed from use and capacity when the
-- place is recorded.
CREATE TABLE places (
    id                 TEXT PRIMARY KEY,
    reference          TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    sector             TEXT NOT NULL,
    use_kind           TEXT NOT NULL,
    capacity           BIGINT NOT NULL,
    latitude           DOUBLE PRECISION NOT NULL,
    longitude          DOUBLE PRECISION NOT NULL,
    address            TEXT NOT NULL,
    tier               TEXT NOT NULL,
    region             TEXT NOT NULL,
    last_visit_on      TEXT,
    last_visit_outcome TEXT,
    import_id          TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    seq                BIGINT NOT NULL
);
CREATE INDEX places_sector_tier ON places (sector, tier, reference);
CREATE INDEX places_tier ON places (tier, reference);
CREATE INDEX places_region ON places (region, reference);
