-- Media URLs the API fetched again because the stored ones had expired or were about to: a video's
-- source (kind video_source, by video id) or a creative's thumbnail (kind thumbnail, by creative
-- id), with when each stops working (the CDN's signed oe). A read hands out, of the URL a sync
-- stored and these, the one that expires last; merges keep the latest-expiring row of each object.
CREATE TABLE IF NOT EXISTS {db}.media_urls
(
    brand_id   String,
    kind       String,
    object_id  String,
    url        String,
    expires_at DateTime,
    fetched_at DateTime
)
ENGINE = ReplacingMergeTree(expires_at)
ORDER BY (brand_id, kind, object_id)
