-- {db}_bi.raw_<table>: a table of {db} as stored, for the views of {db}_bi to read. A refresh's
-- rows stay duplicates until ClickHouse merges them: analysts read the v_* views, which take the
-- newest version (FINAL).
-- Why not read {db} directly: ClickHouse 18.16 checks a view's reader's rights on every table
-- the view reads, and has neither grants nor definer views; a materialized view TO a table,
-- when read, reads that table without checking the reader's rights on it (measured on 18.16).
-- Its source {db}.bi_stub_<table> is a Null table nothing writes to: a materialized view needs
-- one, and reading it never touches it. Columns are those of the table when this ran: a view
-- that needs a column added later recreates the raw_ table (DROP TABLE, then CREATE as here).
CREATE TABLE IF NOT EXISTS {db}.bi_stub_ads AS {db}.ads ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_ads TO {db}.ads AS SELECT * FROM {db}.bi_stub_ads;

CREATE TABLE IF NOT EXISTS {db}.bi_stub_ad_insights AS {db}.ad_insights ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_ad_insights TO {db}.ad_insights
    AS SELECT * FROM {db}.bi_stub_ad_insights;

CREATE TABLE IF NOT EXISTS {db}.bi_stub_ad_days AS {db}.ad_days ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_ad_days TO {db}.ad_days AS SELECT * FROM {db}.bi_stub_ad_days;

CREATE TABLE IF NOT EXISTS {db}.bi_stub_creative_aggregations AS {db}.creative_aggregations ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_creative_aggregations TO {db}.creative_aggregations
    AS SELECT * FROM {db}.bi_stub_creative_aggregations;
