package migrate_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/adstream/adstream/clickhouse/migrate"
)

func TestForCluster(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{name: "versioned engine keeps its version column",
			give: "-- why\nCREATE TABLE IF NOT EXISTS {db}.ads\n(\n    ad_id String,\n    version UInt64\n)\nENGINE = ReplacingMergeTree(version)\nORDER BY ad_id",
			want: "-- why\nCREATE TABLE IF NOT EXISTS {db}.ads ON CLUSTER c\n(\n    ad_id String,\n    version UInt64\n)\n" +
				"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{db}/ads', '{replica}', version)\nORDER BY ad_id\n" +
				"SETTINGS replicated_deduplication_window = 0"},
		{name: "engine without arguments",
			give: "CREATE TABLE IF NOT EXISTS {db}.type_daily (d Date) ENGINE = SummingMergeTree PARTITION BY toYYYYMM(d) ORDER BY d",
			want: "CREATE TABLE IF NOT EXISTS {db}.type_daily ON CLUSTER c (d Date) " +
				"ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{db}/type_daily', '{replica}') PARTITION BY toYYYYMM(d) ORDER BY d\n" +
				"SETTINGS replicated_deduplication_window = 0"},
		{name: "empty parentheses and existing settings",
			give: "CREATE TABLE {db}.r (x UInt8) ENGINE = MergeTree() ORDER BY x SETTINGS index_granularity = 1024",
			want: "CREATE TABLE {db}.r ON CLUSTER c (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{db}/r', '{replica}') " +
				"ORDER BY x SETTINGS index_granularity = 1024, replicated_deduplication_window = 0"},
		{name: "nested engine arguments",
			give: "CREATE TABLE {db}.s (k String, a Int64) ENGINE = SummingMergeTree((a)) ORDER BY k",
			want: "CREATE TABLE {db}.s ON CLUSTER c (k String, a Int64) ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{db}/s', '{replica}', (a)) ORDER BY k\n" +
				"SETTINGS replicated_deduplication_window = 0"},
		{name: "stateless engine stays",
			give: "CREATE TABLE IF NOT EXISTS {db}.bi_stub_ads AS {db}.ads ENGINE = Null",
			want: "CREATE TABLE IF NOT EXISTS {db}.bi_stub_ads ON CLUSTER c AS {db}.ads ENGINE = Null"},
		{name: "database",
			give: "CREATE DATABASE IF NOT EXISTS {db}_bi",
			want: "CREATE DATABASE IF NOT EXISTS {db}_bi ON CLUSTER c"},
		{name: "materialized view",
			give: "CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_ads TO {db}.ads AS SELECT * FROM {db}.bi_stub_ads",
			want: "CREATE MATERIALIZED VIEW IF NOT EXISTS {db}_bi.raw_ads ON CLUSTER c TO {db}.ads AS SELECT * FROM {db}.bi_stub_ads"},
		{name: "view with columns",
			give: "CREATE VIEW IF NOT EXISTS {db}_bi.v\n(\n    x String COMMENT 'engine = MergeTree'\n) {definer}\nAS SELECT x FROM {db}_bi.raw",
			want: "CREATE VIEW IF NOT EXISTS {db}_bi.v ON CLUSTER c\n(\n    x String COMMENT 'engine = MergeTree'\n) {definer}\nAS SELECT x FROM {db}_bi.raw"},
		{name: "alter",
			give: "ALTER TABLE {db}.sync_events\n    ADD COLUMN seq Int64 DEFAULT at_nanos",
			want: "ALTER TABLE {db}.sync_events ON CLUSTER c\n    ADD COLUMN seq Int64 DEFAULT at_nanos"},
		{name: "drop",
			give: "DROP TABLE IF EXISTS {db}_bi.raw_ads",
			want: "DROP TABLE IF EXISTS {db}_bi.raw_ads ON CLUSTER c"},
		{name: "data statements replicate as they are",
			give: "-- backfill\nINSERT INTO {db}.t (x) SELECT 1",
			want: "-- backfill\nINSERT INTO {db}.t (x) SELECT 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := migrate.ForCluster(tt.give, "c")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ForCluster =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestForClusterRefuses(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		cluster string
		want    string
	}{
		{name: "unknown DDL", give: "RENAME TABLE {db}.a TO {db}.b", cluster: "c", want: "RENAME statement"},
		{name: "copy of a replicated table", give: "CREATE TABLE {db}.b AS {db}.a", cluster: "c", want: "name the engine"},
		{name: "already on a cluster", give: "CREATE DATABASE x ON CLUSTER c", cluster: "c", want: "already says ON CLUSTER"},
		{name: "already replicated", give: "CREATE TABLE {db}.a (x UInt8) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY x", cluster: "c", want: "already ReplicatedMergeTree"},
		{name: "unsafe cluster name", give: "CREATE DATABASE x", cluster: "c; DROP", want: "letters, digits and underscores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := migrate.ForCluster(tt.give, tt.cluster)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ForCluster = %q, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}

// Every statement of every embedded migration rewrites: DDL runs on the whole
// cluster, no table keeps a single-server MergeTree engine, and an INSERT (a
// backfill) stays as it is. (That each
// rewritten statement runs is TestMigrateCluster's job, on a real cluster.)
func TestEveryMigrationRewritesForCluster(t *testing.T) {
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	singleServer := regexp.MustCompile(`(?i)ENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)?MergeTree\b`)
	replicatedPath := regexp.MustCompile(`Replicated\w*MergeTree\('/clickhouse/tables/\{shard\}/\{db\}(_bi)?/(\w+)', '\{replica\}'`)
	insert := regexp.MustCompile(`(?i)^(\s*--[^\n]*\n)*\s*INSERT\s+INTO\b`)
	tables := 0
	for _, m := range all {
		for i, stmt := range migrate.Statements(m.SQL) {
			got, err := migrate.ForCluster(stmt, "adstream")
			if err != nil {
				t.Errorf("%04d_%s statement %d: %v", m.Version, m.Name, i+1, err)
				continue
			}
			if insert.MatchString(got) {
				if got != stmt {
					t.Errorf("%04d_%s statement %d: an INSERT was rewritten:\n%s", m.Version, m.Name, i+1, got)
				}
				continue // run on one replica, its rows replicate
			}
			if !strings.Contains(got, " ON CLUSTER adstream") {
				t.Errorf("%04d_%s statement %d runs on one server only:\n%s", m.Version, m.Name, i+1, got)
			}
			if singleServer.MatchString(got) {
				t.Errorf("%04d_%s statement %d keeps a single-server engine:\n%s", m.Version, m.Name, i+1, got)
			}
			if p := replicatedPath.FindStringSubmatch(got); p != nil {
				tables++
				if !strings.Contains(stmt, "{db}."+p[2]) {
					t.Errorf("%04d_%s statement %d: replication path names %s, not the table created", m.Version, m.Name, i+1, p[2])
				}
			}
		}
	}
	// ads, ad_insights, sync_events, brands, creative_aggregations, ad_days,
	// synced_days, type_daily, range_snapshots, video_analyses, media_urls,
	// ad_totals, read_stamps, range_snapshot_rows, range_stamps,
	// ad_day_versions: every stored table.
	if tables != 16 {
		t.Errorf("%d replicated tables, want 16", tables)
	}
}
