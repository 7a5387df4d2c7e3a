-- Latest state of every ad and its creative; a refresh re-inserts, the highest version wins.
CREATE TABLE IF NOT EXISTS {db}.ads
(
    brand_id              String,
    ad_account_id         String,
    ad_id                 String,
    creative_id           String,
    ad_name               String,
    ad_status             String,
    ad_effective_status   String,
    creative_type         String,
    creative_url          String,
    thumbnail_url         String,
    video_id              String,
    video_source_url      String,
    video_length_seconds  Float64,
    carousel_urls         Array(String),
    carousel_links        Array(String),
    carousel_names        Array(String),
    carousel_descriptions Array(String),
    updated_time          DateTime,
    fetched_at            DateTime,
    version               UInt64,
    sync_id               String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (brand_id, ad_id)
