-- Per-type daily rollup of a brand: the sums of its ads' newest days per creative type and
-- effective status. Maintained by type_daily_mv from ad_day_changes; read with sum() GROUP BY,
-- since rows of one key merge only eventually. Reconciled against ad_days when a job's days are
-- stored, so a crash between the consumer's two inserts leaves no drift.
CREATE TABLE IF NOT EXISTS {db}.type_daily
(
    brand_id            String,
    date                Date,
    creative_type       String,
    ad_effective_status String,
    ads                 Int64,
    spend_micros        Int64,
    revenue_micros      Int64,
    orders              Int64,
    impressions         Int64,
    clicks              Int64,
    video_views         Int64,
    video_plays         Int64,
    video_thruplays     Int64,
    video_p25           Int64,
    video_p50           Int64,
    video_p75           Int64,
    video_p100          Int64,
    post_engagement     Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(date)
ORDER BY (brand_id, date, creative_type, ad_effective_status)
