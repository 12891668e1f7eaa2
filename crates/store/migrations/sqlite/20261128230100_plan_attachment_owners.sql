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
INSERT OR IGNORE INTO attachment_owners (record_id, sha256, uploaded_at)
SELECT p.event_id, json_extract(a.value, '$.sha256'), p.updated_at
FROM plan_items p, json_each(p.body, '$.attachments') a
WHERE p.section = 'recon_visit'
  AND json_extract(a.value, '$.sha256') IN (SELECT sha256 FROM attachments);
