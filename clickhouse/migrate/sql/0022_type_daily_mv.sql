-- The materialized view that keeps type_daily: every signed change inserted into ad_day_changes
-- is added, times its sign, to its brand, day, creative type and status.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.type_daily_mv TO {db}.type_daily AS
SELECT brand_id, date, creative_type, ad_effective_status,
    sum(sign * ads) AS ads, sum(sign * spend_micros) AS spend_micros, sum(sign * revenue_micros) AS revenue_micros,
    sum(sign * orders) AS orders, sum(sign * impressions) AS impressions, sum(sign * clicks) AS clicks,
    sum(sign * video_views) AS video_views, sum(sign * video_plays) AS video_plays,
    sum(sign * video_thruplays) AS video_thruplays, sum(sign * video_p25) AS video_p25, sum(sign * video_p50) AS video_p50,
    sum(sign * video_p75) AS video_p75, sum(sign * video_p100) AS video_p100, sum(sign * post_engagement) AS post_engagement
FROM {db}.ad_day_changes
GROUP BY brand_id, date, creative_type, ad_effective_status
