-- A job's checkpoint: the units of its plan (whole ad accounts) whose records were all delivered
-- to Kafka before the event, what had been published then, and the fingerprint of that plan. A
-- producer that takes over a job whose run died resumes after them instead of starting over.
ALTER TABLE {db}.sync_events
    ADD COLUMN checkpoint_units Int64 DEFAULT 0,
    ADD COLUMN checkpoint_ads Int64 DEFAULT 0,
    ADD COLUMN checkpoint_insights Int64 DEFAULT 0,
    ADD COLUMN checkpoint_days Int64 DEFAULT 0,
    ADD COLUMN checkpoint_plan String DEFAULT ''
