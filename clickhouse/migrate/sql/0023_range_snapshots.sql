-- A range's creatives as of one data version (a snapshot), written whole when the range's
-- aggregations are rebuilt (a sync completed, or the range was derived from its days), with the
-- ad and creative details a page shows. Pages and counts read the newest snapshot without FINAL:
-- a reader sees the old snapshot or the new one, never a mix. Older snapshots merge away. Small
-- granules: a page's rows are read by ad_id, 50 scattered ids at a time.
CREATE TABLE IF NOT EXISTS {db}.range_snapshots
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
SETTINGS index_granularity = 1024
