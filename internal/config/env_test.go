package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/config"
)

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// settings is everything a role reads, loaded from one Env.
type settings struct {
	ClickHouse config.ClickHouse
	Kafka      config.Kafka
	Graph      config.Graph
	Telemetry  config.Telemetry
	Sync       config.Sync
	Topics     config.Topics
	Flush      time.Duration
	Workers    int
}

func load(e *config.Env) settings {
	return settings{
		ClickHouse: config.LoadClickHouse(e),
		Kafka:      config.LoadKafka(e),
		Graph:      config.LoadGraph(e),
		Telemetry:  config.LoadTelemetry(e, "127.0.0.1:9100"),
		Sync:       config.LoadSync(e),
		Topics:     config.LoadTopics(e),
		Flush:      e.Duration("ADSTREAM_FLUSH_INTERVAL", 2*time.Second, "flush interval"),
		Workers:    e.Int("ADSTREAM_WORKERS", 4, 1, "workers"),
	}
}

func TestLoadDefaults(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
	}{
		{name: "unset", give: nil},
		{name: "blank", give: map[string]string{"ADSTREAM_CLICKHOUSE_ADDR": "  ", "ADSTREAM_LOG_LEVEL": "", "ADSTREAM_WORKERS": " "}},
	}
	want := settings{
		ClickHouse: config.ClickHouse{Addr: "127.0.0.1:9000", Database: "adstream", Username: "default"},
		Kafka:      config.Kafka{GroupPrefix: "adstream"},
		Graph:      config.Graph{Version: "v21.0"},
		Telemetry:  config.Telemetry{MetricsAddr: "127.0.0.1:9100", LogLevel: "info", LogFormat: "text"},
		Topics: config.Topics{
			SyncRequests: "adstream.sync-requests.v1", Ads: "adstream.ads.v1", Insights: "adstream.insights.v1",
			SyncEvents: "adstream.sync-events.v1", DLQ: "adstream.dlq.v1",
		},
		Flush:   2 * time.Second,
		Workers: 4,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			got := load(e)
			if err := e.Check(); err != nil {
				t.Fatalf("Check() = %v, want nil", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("loaded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoadValues(t *testing.T) {
	give := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR":        "ch.internal:9440",
		"ADSTREAM_CLICKHOUSE_DATABASE":    "adstream_test_7",
		"ADSTREAM_CLICKHOUSE_PASSWORD":    "pw",
		"ADSTREAM_CLICKHOUSE_CLUSTER":     "adstream",
		"ADSTREAM_KAFKA_BROKERS":          "k1:9092, k2:9092",
		"ADSTREAM_SCHEMA_REGISTRY_URL":    "http://registry:8081/",
		"ADSTREAM_GRAPH_URL":              "https://graph.facebook.com",
		"ADSTREAM_METRICS_ACCOUNT_LABELS": "true",
		"ADSTREAM_LOG_LEVEL":              "debug",
		"ADSTREAM_LOG_FORMAT":             "json",
		"ADSTREAM_FLUSH_INTERVAL":         "500ms",
		"ADSTREAM_WORKERS":                "1",
	}
	e := config.NewEnv(getenv(give))
	got := load(e)
	if err := e.Check(); err != nil {
		t.Fatalf("Check() = %v, want nil", err)
	}
	if got.ClickHouse.Addr != "ch.internal:9440" || got.ClickHouse.Database != "adstream_test_7" || got.ClickHouse.Password.Reveal() != "pw" ||
		got.ClickHouse.Cluster != "adstream" {
		t.Errorf("ClickHouse = %+v", got.ClickHouse)
	}
	if !reflect.DeepEqual(got.Kafka.Brokers, []string{"k1:9092", "k2:9092"}) || got.Kafka.RegistryURL != "http://registry:8081" {
		t.Errorf("Kafka = %+v, want brokers [k1:9092 k2:9092] and registry without trailing slash", got.Kafka)
	}
	if got.Graph.URL != "https://graph.facebook.com" || !got.Graph.AccountLabels || got.Telemetry.LogLevel != "debug" || got.Telemetry.LogFormat != "json" {
		t.Errorf("Graph %+v Telemetry %+v", got.Graph, got.Telemetry)
	}
	if got.Flush != 500*time.Millisecond || got.Workers != 1 {
		t.Errorf("Flush %v Workers %d, want 500ms 1", got.Flush, got.Workers)
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
		want []string // each must appear in Err()
	}{
		{
			name: "clickhouse address without port",
			give: map[string]string{"ADSTREAM_CLICKHOUSE_ADDR": "localhost"},
			want: []string{"ADSTREAM_CLICKHOUSE_ADDR", `"localhost"`, "host:port"},
		},
		{
			name: "log level",
			give: map[string]string{"ADSTREAM_LOG_LEVEL": "verbose"},
			want: []string{"ADSTREAM_LOG_LEVEL", `"verbose"`},
		},
		{
			name: "graph url without scheme",
			give: map[string]string{"ADSTREAM_GRAPH_URL": "graph.facebook.com"},
			want: []string{"ADSTREAM_GRAPH_URL", `"graph.facebook.com"`, "absolute http(s) URL"},
		},
		{
			name: "graph url with another scheme",
			give: map[string]string{"ADSTREAM_GRAPH_URL": "ftp://graph.facebook.com"},
			want: []string{"ADSTREAM_GRAPH_URL"},
		},
		{
			name: "account labels neither true nor false",
			give: map[string]string{"ADSTREAM_METRICS_ACCOUNT_LABELS": "sometimes"},
			want: []string{"ADSTREAM_METRICS_ACCOUNT_LABELS", `"sometimes"`},
		},
		{
			name: "duration without unit",
			give: map[string]string{"ADSTREAM_FLUSH_INTERVAL": "5"},
			want: []string{"ADSTREAM_FLUSH_INTERVAL", `"5"`, "duration"},
		},
		{
			name: "negative duration",
			give: map[string]string{"ADSTREAM_FLUSH_INTERVAL": "-1s"},
			want: []string{"ADSTREAM_FLUSH_INTERVAL", "positive"},
		},
		{
			name: "int below minimum",
			give: map[string]string{"ADSTREAM_WORKERS": "0"},
			want: []string{"ADSTREAM_WORKERS", "below the minimum 1"},
		},
		{
			name: "int not a number",
			give: map[string]string{"ADSTREAM_WORKERS": "four"},
			want: []string{"ADSTREAM_WORKERS", `"four"`},
		},
		{
			name: "database name",
			give: map[string]string{"ADSTREAM_CLICKHOUSE_DATABASE": "ad-stream; DROP"},
			want: []string{"ADSTREAM_CLICKHOUSE_DATABASE", `"ad-stream; DROP"`},
		},
		{
			name: "cluster name",
			give: map[string]string{"ADSTREAM_CLICKHOUSE_CLUSTER": "prod cluster"},
			want: []string{"ADSTREAM_CLICKHOUSE_CLUSTER", `"prod cluster"`},
		},
		{
			name: "one bad broker of two",
			give: map[string]string{"ADSTREAM_KAFKA_BROKERS": "k1:9092,k2"},
			want: []string{"ADSTREAM_KAFKA_BROKERS", `"k2"`},
		},
		{
			name: "topic prefix",
			give: map[string]string{"ADSTREAM_TOPIC_PREFIX": "a b"},
			want: []string{"ADSTREAM_TOPIC_PREFIX"},
		},
		{
			name: "all at once",
			give: map[string]string{
				"ADSTREAM_CLICKHOUSE_ADDR":     "localhost",
				"ADSTREAM_LOG_LEVEL":           "verbose",
				"ADSTREAM_GRAPH_URL":           "graph.facebook.com",
				"ADSTREAM_FLUSH_INTERVAL":      "soon",
				"ADSTREAM_WORKERS":             "-2",
				"ADSTREAM_CLICKHOUSE_DATABASE": "ad-stream",
			},
			want: []string{
				"ADSTREAM_CLICKHOUSE_ADDR", "ADSTREAM_LOG_LEVEL", "ADSTREAM_GRAPH_URL",
				"ADSTREAM_FLUSH_INTERVAL", "ADSTREAM_WORKERS", "ADSTREAM_CLICKHOUSE_DATABASE",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			load(e)
			err := e.Check()
			if err == nil {
				t.Fatalf("Check() = nil, want an error naming %v", tt.want)
			}
			if e.Err() == nil || e.Err().Error() != err.Error() {
				t.Errorf("Check() = %v, Err() = %v, want the same", err, e.Err())
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not mention %s:\n%s", w, msg)
				}
			}
			// One line per problem, and only the bad variables named.
			var bad int
			for k := range tt.give {
				if strings.HasPrefix(k, "ADSTREAM_") {
					bad++
				}
			}
			if lines := strings.Count(msg, "\n") + 1; lines != bad {
				t.Errorf("error has %d lines, want one per bad variable (%d):\n%s", lines, bad, msg)
			}
		})
	}
}

func TestHelpListsVariables(t *testing.T) {
	e := config.NewEnv(getenv(map[string]string{"ADSTREAM_CLICKHOUSE_ADDR": "bad", "ADSTREAM_CLICKHOUSE_PASSWORD": "hunter2"}))
	e.Help = true
	load(e)
	if err := e.Check(); !errors.Is(err, config.ErrListed) {
		t.Fatalf("Check() = %v, want ErrListed", err)
	}
	byName := map[string]config.Var{}
	for _, v := range e.Vars() {
		byName[v.Name] = v
	}
	tests := []struct {
		give        string
		wantDefault string
	}{
		{give: "ADSTREAM_CLICKHOUSE_ADDR", wantDefault: "127.0.0.1:9000"},
		{give: "ADSTREAM_CLICKHOUSE_DATABASE", wantDefault: "adstream"},
		{give: "ADSTREAM_CLICKHOUSE_PASSWORD", wantDefault: ""},
		{give: "ADSTREAM_LOG_LEVEL", wantDefault: "info"},
		{give: "ADSTREAM_TOKEN_KEY", wantDefault: ""},
		{give: "ADSTREAM_TOPIC_PREFIX", wantDefault: "adstream"},
		{give: "ADSTREAM_FLUSH_INTERVAL", wantDefault: "2s"},
		{give: "ADSTREAM_WORKERS", wantDefault: "4"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			v, ok := byName[tt.give]
			if !ok {
				t.Fatalf("%s not listed", tt.give)
			}
			if v.Default != tt.wantDefault || v.Help == "" {
				t.Errorf("%s default %q help %q, want default %q and some help", tt.give, v.Default, v.Help, tt.wantDefault)
			}
		})
	}
	for _, v := range e.Vars() {
		if strings.Contains(v.Default, "hunter2") || strings.Contains(v.Help, "hunter2") {
			t.Errorf("--help listing shows a secret value: %+v", v)
		}
	}
}

func TestLoadTopicsPrefix(t *testing.T) {
	tests := []struct {
		give string
		want config.Topics
	}{
		{
			give: "ci-run-42",
			want: config.Topics{
				SyncRequests: "ci-run-42.sync-requests.v1", Ads: "ci-run-42.ads.v1", Insights: "ci-run-42.insights.v1",
				SyncEvents: "ci-run-42.sync-events.v1", DLQ: "ci-run-42.dlq.v1",
			},
		},
		{
			give: "adstream",
			want: config.DefaultTopics(),
		},
		{
			give: "staging.adstream",
			want: config.Topics{
				SyncRequests: "staging.adstream.sync-requests.v1", Ads: "staging.adstream.ads.v1",
				Insights: "staging.adstream.insights.v1", SyncEvents: "staging.adstream.sync-events.v1", DLQ: "staging.adstream.dlq.v1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			e := config.NewEnv(getenv(map[string]string{"ADSTREAM_TOPIC_PREFIX": tt.give}))
			got := config.LoadTopics(e)
			if err := e.Check(); err != nil {
				t.Fatalf("Check() = %v", err)
			}
			if got != tt.want {
				t.Errorf("topics %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(got.All(), []string{tt.want.SyncRequests, tt.want.Ads, tt.want.Insights, tt.want.SyncEvents, tt.want.DLQ}) {
				t.Errorf("All() = %v", got.All())
			}
		})
	}
}

// A duration that may be 0 (such as the API's read staleness, where 0 means
// none) takes 0 and the default, and names a negative one.
func TestDurationOrZero(t *testing.T) {
	tests := []struct {
		give    string
		want    time.Duration
		wantErr string
	}{
		{give: "", want: 100 * time.Millisecond},
		{give: "0", want: 0},
		{give: "250ms", want: 250 * time.Millisecond},
		{give: "-1s", want: 100 * time.Millisecond, wantErr: "ADSTREAM_X: -1s is negative"},
		{give: "soon", want: 100 * time.Millisecond, wantErr: `ADSTREAM_X: "soon" is not a duration`},
	}
	for _, tt := range tests {
		e := config.NewEnv(getenv(map[string]string{"ADSTREAM_X": tt.give}))
		got := e.DurationOrZero("ADSTREAM_X", 100*time.Millisecond, "x")
		err := e.Check()
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%q: got %v, %v; want %v, error containing %q", tt.give, got, err, tt.want, tt.wantErr)
		}
	}
}
