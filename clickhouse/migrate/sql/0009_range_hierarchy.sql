-- A range's rows carry the campaign and ad set of each ad, so lists can filter by them. A range
-- derived from days stores reach = -1: reach is not a sum of days, and is served as unknown.
ALTER TABLE {db}.ad_insights
    ADD COLUMN campaign_id String DEFAULT '',
    ADD COLUMN campaign_name String DEFAULT '',
    ADD COLUMN adset_id String DEFAULT '',
    ADD COLUMN adset_name String DEFAULT ''
