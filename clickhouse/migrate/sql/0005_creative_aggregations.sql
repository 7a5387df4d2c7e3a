-- Exact per-group totals of a brand and date range, rebuilt from the deduplicated ad_insights
-- (FINAL) when a sync's records are all stored. Each rebuild writes every group of the range in
-- one block under a new rebuild_version; readers take only the rows of the newest rebuild, so
-- a group that vanished (an ad changed status or type) is never counted. The row with an empty
-- creative_type marks the rebuild itself (zero totals), so an empty range is a stored answer too.
CREATE TABLE IF NOT EXISTS {db}.creative_aggregations
(
    brand_id            String,
    start_date          Date,
    end_date            Date,
    creative_type       String,
    ad_effective_status String,
    rebuild_version     UInt64,
    job_id              String,
    total_ads           Int64,
    spend_micros        Int64,
    revenue_micros      Int64,
    orders              Int64,
    impressions         Int64,
    clicks              Int64,
    reach               Int64,
    video_views         Int64,
    video_p25           Int64,
    video_p50           Int64,
    video_p75           Int64,
    video_p100          Int64,
    sum_ctr             Float64,
    n_ctr               Int64,
    sum_cpc             Float64,
    n_cpc               Int64,
    sum_cpp             Float64,
    n_cpp               Int64,
    sum_roas            Float64,
    n_roas              Int64
)
ENGINE = ReplacingMergeTree(rebuild_version)
ORDER BY (brand_id, start_date, end_date, creative_type, ad_effective_status)
