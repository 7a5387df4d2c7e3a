-- Results of analysing a brand's videos (scenes, transcripts, hook scores, ...), posted by analysis
-- workers through the API. A result is identified by its video, analysis type, model and model
-- version: posting the same four again replaces the result (the newest stored version wins), another
-- model version is kept beside it. results is the worker's JSON object as text (at most 256 KiB).
-- Readers group by the identity and take argMax(…, version), so no read needs FINAL. Small
-- granules: rows are large, and a page's videos are read by video_id.
CREATE TABLE IF NOT EXISTS {db}.video_analyses
(
    brand_id      String,
    video_id      String,
    analysis_type String,
    model         String,
    model_version String,
    results       String,
    analyzed_at   DateTime,
    stored_at     DateTime,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (brand_id, video_id, analysis_type, model, model_version)
SETTINGS index_granularity = 256
