-- The planning workflow (issue 11): notifications in the application and by
-- e-mail, and the lifecycle's "awaiting endorsement" status.
--
-- Notifications are operational, not a projection: they are derived from
-- journal entries in the transaction that appends them (ids are made from the
-- entry, so a replay inserts nothing twice) and from the sweep for overdue
-- actions; whether one has been read and whether its e-mail went are
-- operational state that a rebuild keeps.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    -- No foreign key: `cordon rebuild` empties and refills users beneath it.
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    event_id        TEXT,
    -- What happened, in words that hold no protected content.
    summary         TEXT NOT NULL,
    -- Where in Cordon to read about it (a path).
    link            TEXT NOT NULL,
    -- The marking of the record it is about (for the e-mail's subject line).
    marking         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    read_at         TEXT,
    -- The e-mail: pending, sent, or failed (kept for retries).
    mail_state      TEXT NOT NULL DEFAULT 'pending',
    mail_attempts   BIGINT NOT NULL DEFAULT 0,
    mail_next_at    TEXT,
    mail_sent_at    TEXT,
    mail_error      TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
CREATE INDEX notifications_mail ON notifications (mail_state, mail_next_at);

-- An event whose latest issued version is not endorsed is awaiting endorsement.
UPDATE planned_events SET status = 'awaiting_endorsement'
WHERE status IN ('planning', 'endorsed')
  AND EXISTS (SELECT 1 FROM plan_versions v WHERE v.event_id = planned_events.id)
  AND NOT EXISTS (
      SELECT 1 FROM plan_endorsements e
      WHERE e.event_id = planned_events.id
        AND e.number = (SELECT MAX(v.number) FROM plan_versions v WHERE v.event_id = planned_events.id)
  );
