-- A job's events are ordered by seq (strictly increasing per job, written by the one process that
-- runs it) rather than by their millisecond timestamps, which tie; error_code is the stable code of
-- a failure (token_invalid, rate_limited, ...), error keeps the message a person can act on.
-- units_total/units_done count the job's plan (account × range pass, account × day chunk) and
-- progress_permille is how far it got; days are the days the job fetched (on its COMPLETED event).
ALTER TABLE {db}.sync_events
    ADD COLUMN seq Int64 DEFAULT at_nanos,
    ADD COLUMN error_code String DEFAULT '',
    ADD COLUMN units_total Int64 DEFAULT 0,
    ADD COLUMN units_done Int64 DEFAULT 0,
    ADD COLUMN progress_permille Int64 DEFAULT 0,
    ADD COLUMN published_days Int64 DEFAULT 0,
    ADD COLUMN days Array(Date)
