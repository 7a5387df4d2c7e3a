-- The daily views: v_ad_daily (one row per ad and day, the stored truth) and v_type_daily (the
-- per-type daily rollup). raw_type_daily follows 0011's pattern.
CREATE TABLE IF NOT EXISTS {db}.bi_stub_type_daily AS {db}.type_daily ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_type_daily TO {db}.type_daily AS SELECT * FROM {db}.bi_stub_type_daily;

-- v_ad_daily: the newest version of every stored day of every ad (FINAL). Money in currency
-- units, exact. Sum any column over days and ads except reach (people, counted once per day).
CREATE VIEW IF NOT EXISTS {db}_bi.v_ad_daily
(
    brand_id            String         COMMENT 'adstream brand id',
    date                Date           COMMENT 'the day (account time zone)',
    ad_id               String         COMMENT 'Meta ad id',
    ad_account_id       String         COMMENT 'Meta ad account id',
    campaign_id         String         COMMENT 'Meta campaign id',
    campaign_name       String         COMMENT 'campaign name',
    adset_id            String         COMMENT 'Meta ad set id',
    adset_name          String         COMMENT 'ad set name',
    creative_type       String         COMMENT 'video, image, carousel or unknown',
    ad_effective_status String         COMMENT 'effective status when the day was fetched',
    spend               Decimal(38, 6) COMMENT 'amount spent that day, account currency',
    revenue             Decimal(38, 6) COMMENT 'purchase value that day, account currency',
    orders              Int64          COMMENT 'purchases',
    impressions         Int64          COMMENT 'impressions',
    clicks              Int64          COMMENT 'clicks',
    reach               Int64          COMMENT 'people reached that day by the ad; not additive over days',
    video_views         Int64          COMMENT '3-second video plays',
    video_plays         Int64          COMMENT 'video plays of any length',
    video_thruplays     Int64          COMMENT 'plays to completion or of at least 15 seconds',
    video_p25           Int64          COMMENT 'plays to 25% of the video',
    video_p50           Int64          COMMENT 'plays to 50%',
    video_p75           Int64          COMMENT 'plays to 75%',
    video_p100          Int64          COMMENT 'plays to 100%',
    post_engagement     Int64          COMMENT 'post engagements',
    fetched_at          DateTime       COMMENT 'when adstream fetched the day from Meta (UTC)'
) {definer}
AS SELECT
    brand_id, date, ad_id, ad_account_id, campaign_id, campaign_name, adset_id, adset_name, creative_type,
    ad_effective_status,
    CAST(spend_micros AS Decimal128(6)) / 1000000 AS spend,
    CAST(revenue_micros AS Decimal128(6)) / 1000000 AS revenue,
    orders, impressions, clicks, reach, video_views, video_plays, video_thruplays,
    video_p25, video_p50, video_p75, video_p100, post_engagement, fetched_at
FROM {db}_bi.raw_ad_days FINAL;

-- v_type_daily: per brand, day, creative type and effective status, the sums of the ads' newest
-- days, as the rollup keeps them (exact under refreshes and redeliveries).
CREATE VIEW IF NOT EXISTS {db}_bi.v_type_daily
(
    brand_id            String         COMMENT 'adstream brand id',
    date                Date           COMMENT 'the day (account time zone)',
    creative_type       String         COMMENT 'video, image, carousel or unknown',
    ad_effective_status String         COMMENT 'effective status of the ads',
    ads                 Int64          COMMENT 'ads with data that day',
    spend               Decimal(38, 6) COMMENT 'amount spent, account currency',
    revenue             Decimal(38, 6) COMMENT 'purchase value, account currency',
    orders              Int64          COMMENT 'purchases',
    impressions         Int64          COMMENT 'impressions',
    clicks              Int64          COMMENT 'clicks',
    video_views         Int64          COMMENT '3-second video plays',
    video_thruplays     Int64          COMMENT 'plays to completion or of at least 15 seconds',
    video_p100          Int64          COMMENT 'plays to 100%'
) {definer}
AS SELECT
    brand_id, date, creative_type, ad_effective_status,
    sum(ads) AS ads,
    CAST(sum(spend_micros) AS Decimal128(6)) / 1000000 AS spend,
    CAST(sum(revenue_micros) AS Decimal128(6)) / 1000000 AS revenue,
    sum(orders) AS orders, sum(impressions) AS impressions, sum(clicks) AS clicks,
    sum(video_views) AS video_views, sum(video_thruplays) AS video_thruplays, sum(video_p100) AS video_p100
FROM {db}_bi.raw_type_daily
GROUP BY brand_id, date, creative_type, ad_effective_status
