-- v_type_range: the exact totals of every aggregated range by creative type and effective
-- status, as the API's aggregations serve them: the rows of the range's newest rebuild only (a
-- group absent from it no longer exists). Money in currency units, exact; ratios from the sums.
CREATE VIEW IF NOT EXISTS {db}_bi.v_type_range
(
    brand_id            String          COMMENT 'adstream brand id',
    start_date          Date            COMMENT 'first day of the range, inclusive',
    end_date            Date            COMMENT 'last day of the range, inclusive',
    creative_type       String          COMMENT 'video, image, carousel or unknown',
    ad_effective_status String          COMMENT 'effective status of the ads (ACTIVE, PAUSED, ...)',
    ads                 Int64           COMMENT 'number of ads',
    spend               Decimal(38, 6)  COMMENT 'amount spent, account currency',
    revenue             Decimal(38, 6)  COMMENT 'purchase value, account currency',
    roas                Float64         COMMENT 'revenue / spend; 0 without spend',
    orders              Int64           COMMENT 'purchases',
    impressions         Int64           COMMENT 'impressions',
    clicks              Int64           COMMENT 'clicks',
    ctr                 Float64         COMMENT 'clicks per 100 impressions',
    reach               Nullable(Int64) COMMENT 'sum of the ads'' reach (people reached by several ads count once per ad); NULL when unknown',
    video_views         Int64           COMMENT '3-second video plays',
    video_p25           Int64           COMMENT 'plays to 25% of the video',
    video_p50           Int64           COMMENT 'plays to 50%',
    video_p75           Int64           COMMENT 'plays to 75%',
    video_p100          Int64           COMMENT 'plays to 100%',
    hook_rate           Float64         COMMENT '3-second plays per 100 impressions',
    calculated_at       DateTime        COMMENT 'when these totals were rebuilt (UTC)',
    job_id              String          COMMENT 'the sync job the rebuild followed; empty when rebuilt on demand'
) {definer}
AS SELECT
    brand_id, start_date, end_date, creative_type, ad_effective_status,
    total_ads AS ads,
    CAST(spend_micros AS Decimal128(6)) / 1000000 AS spend,
    CAST(revenue_micros AS Decimal128(6)) / 1000000 AS revenue,
    if(spend_micros = 0, 0, revenue_micros / spend_micros) AS roas,
    orders, impressions, clicks,
    if(impressions = 0, 0, clicks * 100 / impressions) AS ctr,
    if(reach < 0, NULL, reach) AS reach,
    video_views, video_p25, video_p50, video_p75, video_p100,
    if(impressions = 0, 0, video_views * 100 / impressions) AS hook_rate,
    toDateTime(intDiv(rebuild_version, 1000000000)) AS calculated_at,
    job_id
FROM {db}_bi.raw_creative_aggregations FINAL
ANY INNER JOIN
(
    SELECT brand_id, start_date, end_date, max(rebuild_version) AS newest_rebuild
    FROM {db}_bi.raw_creative_aggregations
    GROUP BY brand_id, start_date, end_date
) USING (brand_id, start_date, end_date)
WHERE rebuild_version = newest_rebuild AND creative_type != ''
