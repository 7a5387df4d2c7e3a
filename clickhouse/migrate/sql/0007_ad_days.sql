-- One row per ad and day: the stored truth every range is derived from (Graph insights with
-- time_increment=1). A refresh or a Kafka redelivery re-inserts a day; the highest version wins.
-- reach is exact for the day; it is not additive over days.
CREATE TABLE IF NOT EXISTS {db}.ad_days
(
    brand_id            String,
    date                Date,
    ad_id               String,
    ad_account_id       String,
    campaign_id         String,
    campaign_name       String,
    adset_id            String,
    adset_name          String,
    creative_type       String,
    ad_effective_status String,
    spend_micros        Int64,
    revenue_micros      Int64,
    orders              Int64,
    impressions         Int64,
    clicks              Int64,
    reach               Int64,
    video_views         Int64,
    video_plays         Int64,
    video_thruplays     Int64,
    video_p25           Int64,
    video_p50           Int64,
    video_p75           Int64,
    video_p100          Int64,
    post_engagement     Int64,
    fetched_at          DateTime,
    version             UInt64,
    sync_id             String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(date)
ORDER BY (brand_id, date, ad_id)
