-- A job's events are ordered by seq (strictly increasing per job, written by the one process that
-- runs it) rather than by their millisecond timestamps, which tie; error_code is the stable code of
-- a failure (token_invalid, rate_limited, ...), error keeps the message a person can act on.
ALTER TABLE {db}.sync_events
    ADD COLUMN seq Int64 DEFAULT at_nanos,
    ADD COLUMN error_code String DEFAULT ''
