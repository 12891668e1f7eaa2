-- Staff notices of a site's response level (issue 13): a notification of the
-- kind `response_level_changed` names the site and the level it moved to,
-- and records when the member of staff acknowledged it (operational, like
-- `read_at`: kept by a rebuild).
ALTER TABLE notifications ADD COLUMN site_id TEXT;
ALTER TABLE notifications ADD COLUMN response_level TEXT;
ALTER TABLE notifications ADD COLUMN acknowledged_at TEXT;
CREATE INDEX notifications_site ON notifications (site_id, user_id, created_at);
