-- v_creatives_range: one row per ad of every stored range, as the API lists it: the newest
-- version of the ad's range row (FINAL) with its newest ad and creative details. Money is in
-- currency units, exact (Decimal, from integer micro-units); ratios are percentages computed from
-- the row's own sums. Sum spend, revenue and counts freely; re-derive ratios from summed parts.
CREATE VIEW IF NOT EXISTS {db}_bi.v_creatives_range
(
    brand_id             String            COMMENT 'adstream brand id',
    start_date           Date              COMMENT 'first day of the range, inclusive',
    end_date             Date              COMMENT 'last day of the range, inclusive',
    ad_id                String            COMMENT 'Meta ad id',
    ad_name              String            COMMENT 'ad name; empty until the ad itself is stored',
    ad_status            String            COMMENT 'ad status as configured (ACTIVE, PAUSED, ...)',
    ad_effective_status  String            COMMENT 'effective status at the sync (ACTIVE, CAMPAIGN_PAUSED, ...)',
    ad_account_id        String            COMMENT 'Meta ad account id',
    campaign_id          String            COMMENT 'Meta campaign id',
    campaign_name        String            COMMENT 'campaign name',
    adset_id             String            COMMENT 'Meta ad set id',
    adset_name           String            COMMENT 'ad set name',
    creative_id          String            COMMENT 'Meta creative id',
    creative_type        String            COMMENT 'video, image, carousel or unknown',
    creative_url         String            COMMENT 'the creative''s image or first card',
    thumbnail_url        String            COMMENT 'thumbnail of the creative',
    video_id             String            COMMENT 'Meta video id (video creatives)',
    video_length_seconds Float64           COMMENT 'video length in seconds (video creatives)',
    spend                Decimal(38, 6)    COMMENT 'amount spent in the range, account currency',
    revenue              Decimal(38, 6)    COMMENT 'purchase value in the range, account currency',
    roas                 Float64           COMMENT 'revenue / spend; 0 without spend',
    orders               Int64             COMMENT 'purchases',
    impressions          Int64             COMMENT 'impressions',
    clicks               Int64             COMMENT 'clicks',
    ctr                  Float64           COMMENT 'clicks per 100 impressions',
    cpc                  Float64           COMMENT 'spend per click, account currency; 0 without clicks',
    reach                Nullable(Int64)   COMMENT 'people reached in the range; NULL when the range was derived from days (reach is not a sum of days)',
    frequency            Nullable(Float64) COMMENT 'impressions per person reached; NULL with reach',
    video_views          Int64             COMMENT '3-second video plays',
    video_plays          Int64             COMMENT 'video plays of any length',
    video_thruplays      Int64             COMMENT 'plays to completion or of at least 15 seconds',
    video_p25            Int64             COMMENT 'plays to 25% of the video',
    video_p50            Int64             COMMENT 'plays to 50%',
    video_p75            Int64             COMMENT 'plays to 75%',
    video_p100           Int64             COMMENT 'plays to 100%',
    hook_rate            Float64           COMMENT '3-second plays per 100 impressions',
    hold_rate            Float64           COMMENT 'ThruPlays per 100 3-second plays',
    post_engagement      Int64             COMMENT 'post engagements',
    fetched_at           DateTime          COMMENT 'when adstream fetched these figures from Meta (UTC)'
) {definer}
AS SELECT
    brand_id, start_date, end_date, ad_id, ad_name, ad_status, ad_effective_status, ad_account_id,
    campaign_id, campaign_name, adset_id, adset_name, creative_id, creative_type, creative_url,
    thumbnail_url, video_id, video_length_seconds,
    CAST(spend_micros AS Decimal128(6)) / 1000000 AS spend,
    CAST(revenue_micros AS Decimal128(6)) / 1000000 AS revenue,
    if(spend_micros = 0, 0, revenue_micros / spend_micros) AS roas,
    orders, impressions, clicks,
    if(impressions = 0, 0, clicks * 100 / impressions) AS ctr,
    if(clicks = 0, 0, spend_micros / 1000000 / clicks) AS cpc,
    if(reach < 0, NULL, reach) AS reach,
    if(reach < 0, NULL, frequency) AS frequency,
    video_views, video_plays, video_thruplays, video_p25, video_p50, video_p75, video_p100,
    if(impressions = 0, 0, video_views * 100 / impressions) AS hook_rate,
    if(video_views = 0, 0, video_thruplays * 100 / video_views) AS hold_rate,
    post_engagement, fetched_at
FROM {db}_bi.raw_ad_insights FINAL
ANY LEFT JOIN
(
    SELECT brand_id, ad_id, ad_name, ad_status, creative_id, creative_url, thumbnail_url, video_id,
           video_length_seconds
    FROM {db}_bi.raw_ads FINAL
) USING (brand_id, ad_id)
