-- A plan item's own marking, when above its event's (NULL: the event's).
ALTER TABLE plan_items ADD COLUMN marking TEXT;
