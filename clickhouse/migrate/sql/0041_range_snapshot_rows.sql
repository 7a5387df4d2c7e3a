-- range_snapshots again, in granules of 64 rows instead of 1,024: a page reads its 50 rows by
-- ad_id, scattered over the range, and ClickHouse reads every column of each granule that holds
-- one of them, some 40,000 rows for a page of 100,000 ads (3,200 now). 18.16 cannot change a
-- table's index_granularity, so the store writes and reads this table from here on. Snapshots in
-- range_snapshots are not copied: every role migrates at start, and two copies running at once
-- would count each creative twice until a merge. A range rebuilt before this migration is read
-- from ad_insights, as one rebuilt before snapshots existed, until its next rebuild (its next
-- sync or refresh). range_snapshots is kept for replicas not yet upgraded; deletes still clear it.
CREATE TABLE IF NOT EXISTS {db}.range_snapshot_rows
(
    brand_id              String,
    start_date            Date,
    end_date              Date,
    ad_id                 String,
    snapshot              UInt64,
    ad_account_id         String,
    campaign_id           String,
    adset_id              String,
    creative_type         String,
    ad_effective_status   String,
    spend_micros          Int64,
    revenue_micros        Int64,
    orders                Int64,
    impressions           Int64,
    clicks                Int64,
    reach                 Int64,
    frequency             Float64,
    video_views           Int64,
    video_plays           Int64,
    video_thruplays       Int64,
    video_p25             Int64,
    video_p50             Int64,
    video_p75             Int64,
    video_p100            Int64,
    post_engagement       Int64,
    fetched_at            DateTime,
    version               UInt64,
    creative_id           String,
    ad_name               String,
    ad_status             String,
    creative_url          String,
    thumbnail_url         String,
    video_id              String,
    video_source_url      String,
    video_length_seconds  Float64,
    carousel_urls         Array(String),
    carousel_links        Array(String),
    carousel_names        Array(String),
    carousel_descriptions Array(String)
)
ENGINE = ReplacingMergeTree(snapshot)
PARTITION BY toYYYYMM(start_date)
ORDER BY (brand_id, start_date, end_date, ad_id)
SETTINGS index_granularity = 64
