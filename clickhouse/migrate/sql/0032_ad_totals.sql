-- Each ad's metrics summed over every stored day of its brand, as of one state of the brand's
-- stored days (days_signature: the newest fetch and the number of days in synced_days), so the
-- feed of videos to analyse ranks by spend without summing every day on every read. A read that
-- finds the brand's days changed builds a new version (INSERT … SELECT from ad_days FINAL), then a
-- row with an empty ad_id that marks the build complete; readers take the newest complete build
-- of the current signature, and older builds merge away.
CREATE TABLE IF NOT EXISTS {db}.ad_totals
(
    brand_id        String,
    ad_id           String,
    built           UInt64,
    days_signature  String,
    spend_micros    Int64,
    revenue_micros  Int64,
    orders          Int64,
    impressions     Int64,
    clicks          Int64,
    video_views     Int64,
    video_plays     Int64,
    video_thruplays Int64,
    video_p25       Int64,
    video_p50       Int64,
    video_p75       Int64,
    video_p100      Int64,
    post_engagement Int64,
    days            UInt64,
    first_day       Date,
    last_day        Date
)
ENGINE = ReplacingMergeTree(built)
ORDER BY (brand_id, ad_id)
