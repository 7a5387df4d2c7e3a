-- Ad-level metrics of one brand and date range; one row per ad after merges, the highest version wins.
CREATE TABLE IF NOT EXISTS {db}.ad_insights
(
    brand_id            String,
    start_date          Date,
    end_date            Date,
    ad_id               String,
    ad_account_id       String,
    creative_type       String,
    ad_effective_status String,
    spend_micros        Int64,
    revenue_micros      Int64,
    orders              Int64,
    impressions         Int64,
    clicks              Int64,
    reach               Int64,
    frequency           Float64,
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
PARTITION BY toYYYYMM(start_date)
ORDER BY (brand_id, start_date, end_date, ad_id)
