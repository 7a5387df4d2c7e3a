-- Which days of a brand are stored, and when they were fetched: a day is written here once the
-- records of the sync job that fetched it are all stored. A range whose every day is here is
-- served from ClickHouse alone; a day fetched less than the restatement window after it ended is
-- fetched again by the next sync that covers it.
CREATE TABLE IF NOT EXISTS {db}.synced_days
(
    brand_id   String,
    date       Date,
    fetched_at UInt64,
    job_id     String
)
ENGINE = ReplacingMergeTree(fetched_at)
ORDER BY (brand_id, date)
