-- The changes of ad_days as signed rows: a new day of an ad is +1 row, a newer version of a day
-- is -1 row (the old values) and +1 row (the new ones), a redelivered or older version is nothing.
-- The consumer writes them; nothing is stored here (Null engine): type_daily_mv sums them.
CREATE TABLE IF NOT EXISTS {db}.ad_day_changes
(
    brand_id            String,
    date                Date,
    creative_type       String,
    ad_effective_status String,
    sign                Int8,
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
ENGINE = Null
