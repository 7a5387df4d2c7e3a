-- v_video_analyses: the results of analysing a brand's videos, for the BI user; raw_video_analyses
-- follows 0011's pattern. One row per video, analysis type, model and model version: the newest
-- result posted for them (FINAL). results is the worker's JSON object as text. To correlate a
-- result with performance, join on video_id with v_creatives_range (the ads showing the video).
CREATE TABLE IF NOT EXISTS {db}.bi_stub_video_analyses AS {db}.video_analyses ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_video_analyses TO {db}.video_analyses
    AS SELECT * FROM {db}.bi_stub_video_analyses;

CREATE VIEW IF NOT EXISTS {db}_bi.v_video_analyses
(
    brand_id      String   COMMENT 'adstream brand id',
    video_id      String   COMMENT 'Meta video id; v_creatives_range.video_id names the ads showing it',
    analysis_type String   COMMENT 'what the video was analysed for (scenes, transcript, ...)',
    model         String   COMMENT 'the model or tool that produced the result',
    model_version String   COMMENT 'its version; each version keeps its own result',
    results       String   COMMENT 'the result, a JSON object as text (read fields with JSONExtract on 24.x, visitParamExtract on 18.16)',
    analyzed_at   DateTime COMMENT 'when the analysis ran (UTC, to the second)',
    stored_at     DateTime COMMENT 'when adstream stored the result (UTC)'
) {definer}
AS SELECT
    brand_id, video_id, analysis_type, model, model_version, results, analyzed_at, stored_at
FROM {db}_bi.raw_video_analyses FINAL
