-- What an appointment did so that the SECO can read the event: the account it
-- put on the event's team, and the organisation the event was shared with for
-- it. Standing the SECO down undoes exactly these.
ALTER TABLE seco_requests ADD COLUMN team_user_id TEXT;
ALTER TABLE seco_requests ADD COLUMN shared_organisation_id TEXT;
