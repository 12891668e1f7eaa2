-- An attachment belongs to the record it was uploaded to: a visit may cite only
-- its own event's attachments, and a download checks that record's access.
-- The bytes stay content-addressed in `attachments`.
CREATE TABLE attachment_owners (
    record_id   TEXT NOT NULL REFERENCES records (id),
    sha256      TEXT NOT NULL REFERENCES attachments (sha256),
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (record_id, sha256)
);

-- Attachments already cited by a plan belong to that plan's event.
INSERT INTO attachment_owners (record_id, sha256, uploaded_at)
SELECT DISTINCT p.event_id, a.value ->> 'sha256', p.updated_at
FROM plan_items p, jsonb_array_elements(p.body::jsonb -> 'attachments') a
WHERE p.section = 'recon_visit'
  AND a.value ->> 'sha256' IN (SELECT sha256 FROM attachments)
ON CONFLICT DO NOTHING;
