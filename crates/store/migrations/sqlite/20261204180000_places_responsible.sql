-- Who is responsible for a place, and whether that is an individual (an
-- organisation designates a senior individual at enhanced premises, s.10).
-- Set by `place_responsible_set`; until then an organisation, unnamed.
ALTER TABLE places ADD COLUMN responsible_name TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN responsible_kind TEXT NOT NULL DEFAULT 'organisation';
