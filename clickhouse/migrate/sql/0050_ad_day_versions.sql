-- The stored versions of ad_days, ordered by ad: what the consumer reads before each insert to
-- know which of its days are new, redelivered or replaced (store.storedDays). ad_days is ordered
-- by (brand_id, date, ad_id), so `ad_id IN (the batch's ads)` over a batch's days read every row
-- of the brand on those days (a batch holds many days of each ad): a lookup that grew with the
-- brand, some 30 ms a batch at 10,000 ads and ten times that at 100,000. Ordered by ad, it reads
-- the granules of the batch's ads, 1,024 rows each. Not partitioned: an insert writes one part
-- here whatever months its days span, and a part of four narrow columns is cheap to merge.
-- Deletes clear it with ad_days.
CREATE TABLE IF NOT EXISTS {db}.ad_day_versions
(
    brand_id String,
    ad_id    String,
    date     Date,
    version  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (brand_id, ad_id, date)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.ad_day_versions_mv TO {db}.ad_day_versions AS
SELECT brand_id, ad_id, date, version FROM {db}.ad_days;

-- After the view, so a day stored meanwhile is in one or the other (or both: the lookup takes
-- the newest).
INSERT INTO {db}.ad_day_versions (brand_id, ad_id, date, version)
SELECT brand_id, ad_id, date, version FROM {db}.ad_days
