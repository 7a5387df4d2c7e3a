-- read_stamps again, with the range's newest rebuild folded in, so that a read's stamp is one
-- lookup of one table by its primary key instead of two subqueries (read_stamps and
-- creative_aggregations), each of which costs ClickHouse 18.16 about a millisecond. writes counts
-- the writes that can change an answer of the range (per range: its sync events and rebuilds; per
-- brand, at start_date = end_date = 1970-01-01: its registration, stored days and refreshed media
-- URLs); max(rebuild) is the range's newest rebuild_version in creative_aggregations. rebuild is
-- in the key (every other write has 0), as SummingMergeTree only sums: a range keeps one row per
-- rebuild once merged, a few hundred a year for a range refreshed daily, within one granule.
--
-- The views fire after their source block is stored, so a reader that sees a new stamp sees the
-- rows that made it, on one server. On a replicated cluster a replica may receive this table's
-- part before the source table's: a reader then sees a rebuild in the stamp that
-- creative_aggregations does not hold yet, and the API keeps no answer whose rebuild is not the
-- stamp's (see store.ReadStamp).
--
-- Only the rebuilds are copied from before (the last statement): the counts need not be, as an
-- API process reads this table only after migrating, with its cache empty, and from there on
-- every count only grows. read_stamps and its views are kept for replicas not yet upgraded;
-- deletes add to both.
CREATE TABLE IF NOT EXISTS {db}.range_stamps
(
    brand_id   String,
    start_date Date,
    end_date   Date,
    rebuild    UInt64,
    writes     UInt64
)
ENGINE = SummingMergeTree
ORDER BY (brand_id, start_date, end_date, rebuild);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.range_stamps_sync_events TO {db}.range_stamps AS
SELECT brand_id, start_date, end_date, toUInt64(0) AS rebuild, count() AS writes
FROM {db}.sync_events GROUP BY brand_id, start_date, end_date;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.range_stamps_creative_aggregations TO {db}.range_stamps AS
SELECT brand_id, start_date, end_date, rebuild_version AS rebuild, count() AS writes
FROM {db}.creative_aggregations GROUP BY brand_id, start_date, end_date, rebuild_version;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.range_stamps_synced_days TO {db}.range_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, toUInt64(0) AS rebuild, count() AS writes
FROM {db}.synced_days GROUP BY brand_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.range_stamps_brands TO {db}.range_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, toUInt64(0) AS rebuild, count() AS writes
FROM {db}.brands GROUP BY brand_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.range_stamps_media_urls TO {db}.range_stamps AS
SELECT brand_id, toDate(0) AS start_date, toDate(0) AS end_date, toUInt64(0) AS rebuild, count() AS writes
FROM {db}.media_urls GROUP BY brand_id;

-- After the views, so a rebuild written meanwhile is in one or the other (or both: max is max).
-- A row whose sums are all 0 is dropped by a merge: writes is 1.
INSERT INTO {db}.range_stamps (brand_id, start_date, end_date, rebuild, writes)
SELECT brand_id, start_date, end_date, max(rebuild_version), toUInt64(1)
FROM {db}.creative_aggregations GROUP BY brand_id, start_date, end_date
