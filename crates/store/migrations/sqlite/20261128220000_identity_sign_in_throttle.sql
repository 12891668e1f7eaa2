-- Sign-in throttling counts each attempt in one statement before the password
-- is checked (store::identity::throttle), so attempts made at the same moment
-- cannot all get through. Its times are whole microseconds since 1970 (UTC) so
-- that the statement itself can add the delay. The table holds only counts
-- that lapse within minutes and is never replayed, so it starts afresh.
DROP TABLE login_throttle;
CREATE TABLE login_throttle (
    key              TEXT PRIMARY KEY,
    -- Attempts counted since the count last started again.
    failures         INTEGER NOT NULL,
    last_at_us       INTEGER NOT NULL,
    blocked_until_us INTEGER NOT NULL
);
