-- A counter of the writes that can change a read's answer, kept per range (sync events, rebuilds)
-- and per brand (start_date = end_date = 1970-01-01: the brand, its stored days, its refreshed
-- media URLs). A read checks its cached answer against the sum of its range's and its brand's
-- counts: one lookup of a few rows, where reading the tables themselves took five subqueries.
-- The materialized views count every inserted block, whoever writes it (API, consumers, another
-- replica), after the block itself is stored, so a reader that sees a new count sees the rows
-- that made it. Deletes are mutations, which feed no view: the store adds the brand's count
-- itself once a delete's mutations are done. Nothing deletes from this table: its sums only grow,
-- so a count never comes back to a value an older answer was read at.
CREATE TABLE IF NOT EXISTS {db}.read_stamps
(
    brand_id   String,
    start_date Date,
    end_date   Date,
    writes     UInt64
)
ENGINE = SummingMergeTree
ORDER BY (brand_id, start_date, end_date);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.read_stamps_sync_events TO {db}.read_stamps AS
SELECT brand_id, start_date, end_date, count() AS writes FROM {db}.sync_events GROUP BY brand_id, start_date, end_date;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.read_stamps_creative_aggregations TO {db}.read_stamps AS
SELECT brand_id, start_date, end_date, count() AS writes FROM {db}.creative_aggregations GROUP BY brand_id, start_date, end_date;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.read_stamps_synced_days TO {db}.read_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, count() AS writes FROM {db}.synced_days GROUP BY brand_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.read_stamps_brands TO {db}.read_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, count() AS writes FROM {db}.brands GROUP BY brand_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.read_stamps_media_urls TO {db}.read_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, count() AS writes FROM {db}.media_urls GROUP BY brand_id
