-- Every event of every sync job (queued by the API, progress from producers); the status of a
-- job is its newest event, so a redelivered event changes nothing.
CREATE TABLE IF NOT EXISTS {db}.sync_events
(
    job_id             String,
    brand_id           String,
    start_date         Date,
    end_date           Date,
    kind               String,
    status             String,
    total_ads          Int64,
    published_ads      Int64,
    published_insights Int64,
    error              String,
    at                 DateTime,
    at_nanos           Int64
)
ENGINE = MergeTree
ORDER BY (brand_id, start_date, end_date, job_id, at_nanos)
