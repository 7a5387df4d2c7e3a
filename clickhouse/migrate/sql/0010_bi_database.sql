-- The analysts' database: views over this one (deduplicated, money in currency units) and the
-- raw_* tables they read, nothing else. The read-only ClickHouse user adstream_bi may read only
-- this database, so it never sees brands (their tokens) nor rows a refresh has not yet replaced.
-- Adding a view is one more file: CREATE VIEW IF NOT EXISTS {db}_bi.v_... {definer} AS SELECT
-- ... FROM {db}_bi.raw_... (see 0011 for why views read raw_* and not {db} directly).
CREATE DATABASE IF NOT EXISTS {db}_bi
