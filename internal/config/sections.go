package config

import (
	"github.com/adstream/adstream/schemas"
	"strings"

	"regexp"
)

// ClickHouse is how every role reaches ClickHouse over the native protocol.
type ClickHouse struct {
	Addr     string // ADSTREAM_CLICKHOUSE_ADDR, default 127.0.0.1:9000
	Database string // ADSTREAM_CLICKHOUSE_DATABASE, default adstream
	Username string // ADSTREAM_CLICKHOUSE_USER, default "default"
	Password Secret // ADSTREAM_CLICKHOUSE_PASSWORD, default empty
	// Cluster, ADSTREAM_CLICKHOUSE_CLUSTER, default empty (one server): the
	// cluster of the server's remote_servers that migrations target (ON
	// CLUSTER, replicated tables; README "Scale-out").
	Cluster string
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// LoadClickHouse reads the ClickHouse section.
func LoadClickHouse(e *Env) ClickHouse {
	c := ClickHouse{
		Addr:     e.HostPort("ADSTREAM_CLICKHOUSE_ADDR", "127.0.0.1:9000", "ClickHouse native address; unreachable in dev starts a private server"),
		Database: e.String("ADSTREAM_CLICKHOUSE_DATABASE", "adstream", "ClickHouse database"),
		Username: e.String("ADSTREAM_CLICKHOUSE_USER", "default", "ClickHouse user"),
		Password: e.Secret("ADSTREAM_CLICKHOUSE_PASSWORD", "ClickHouse password"),
		Cluster:  e.String("ADSTREAM_CLICKHOUSE_CLUSTER", "", "ClickHouse cluster (remote_servers) that migrations replicate the schema on; empty: one server"),
	}
	if !identifier.MatchString(c.Database) {
		e.Fail("ADSTREAM_CLICKHOUSE_DATABASE", "%q must be letters, digits and underscores", c.Database)
	}
	if c.Cluster != "" && !identifier.MatchString(c.Cluster) {
		e.Fail("ADSTREAM_CLICKHOUSE_CLUSTER", "%q must be letters, digits and underscores", c.Cluster)
	}
	return c
}

// Kafka is how every role reaches Kafka.
type Kafka struct {
	Brokers     []string // ADSTREAM_KAFKA_BROKERS, empty → embedded broker in dev
	RegistryURL string   // ADSTREAM_SCHEMA_REGISTRY_URL, empty → single-object encoding
	GroupPrefix string   // ADSTREAM_KAFKA_GROUP_PREFIX, default adstream
}

// LoadKafka reads the Kafka section.
func LoadKafka(e *Env) Kafka {
	return Kafka{
		Brokers:     e.HostPorts("ADSTREAM_KAFKA_BROKERS", "comma-separated Kafka seed brokers; empty in dev starts an embedded broker"),
		RegistryURL: e.URL("ADSTREAM_SCHEMA_REGISTRY_URL", "schema registry URL; empty uses Avro single-object encoding"),
		GroupPrefix: e.String("ADSTREAM_KAFKA_GROUP_PREFIX", "adstream", "prefix of consumer group names"),
	}
}

// ProducerGroup is the consumer group the producers share.
func (k Kafka) ProducerGroup() string { return k.GroupPrefix + "-producers" }

// ConsumerGroup is the consumer group the consumers share.
func (k Kafka) ConsumerGroup() string { return k.GroupPrefix + "-consumers" }

// Graph is how producers and the API's live fallback reach the Graph API.
type Graph struct {
	URL     string // ADSTREAM_GRAPH_URL, empty → graphsim in dev
	Version string // ADSTREAM_GRAPH_VERSION, default v21.0
	// AccountLabels, ADSTREAM_METRICS_ACCOUNT_LABELS, default false: label
	// the Graph API usage metric by ad account number.
	AccountLabels bool
}

var graphVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// LoadGraph reads the Graph API section.
func LoadGraph(e *Env) Graph {
	g := Graph{
		URL:     e.URL("ADSTREAM_GRAPH_URL", "Graph API base URL (https://graph.facebook.com in production); empty in dev serves graphsim"),
		Version: e.String("ADSTREAM_GRAPH_VERSION", "v21.0", "Graph API version"),
		AccountLabels: e.Bool("ADSTREAM_METRICS_ACCOUNT_LABELS", false,
			"true labels the Graph API usage metric by ad account number; false shows one series, account=\"all\""),
	}
	if !graphVersion.MatchString(g.Version) {
		e.Fail("ADSTREAM_GRAPH_VERSION", "%q is not a version like v21.0", g.Version)
	}
	return g
}

// Telemetry is where a role serves /metrics and how it logs.
type Telemetry struct {
	MetricsAddr string // ADSTREAM_METRICS_ADDR, default 127.0.0.1:9100 (roles without HTTP)
	LogLevel    string // ADSTREAM_LOG_LEVEL, default info
	LogFormat   string // ADSTREAM_LOG_FORMAT, default text
}

// LoadTelemetry reads the telemetry section; a command that serves no
// metrics passes an empty defaultMetricsAddr and reads only the log settings.
func LoadTelemetry(e *Env, defaultMetricsAddr string) Telemetry {
	t := Telemetry{
		LogLevel:  e.String("ADSTREAM_LOG_LEVEL", "info", "debug, info, warn or error"),
		LogFormat: e.String("ADSTREAM_LOG_FORMAT", "text", "text or json"),
	}
	if defaultMetricsAddr != "" {
		t.MetricsAddr = e.HostPort("ADSTREAM_METRICS_ADDR", defaultMetricsAddr, "where a role without its own HTTP server serves /metrics")
	}
	switch t.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		e.Fail("ADSTREAM_LOG_LEVEL", "%q is not one of debug, info, warn, error", t.LogLevel)
	}
	if t.LogFormat != "text" && t.LogFormat != "json" {
		e.Fail("ADSTREAM_LOG_FORMAT", "%q is not text or json", t.LogFormat)
	}
	return t
}

// Sync holds the secret that protects brand tokens at rest.
type Sync struct {
	TokenKey Secret // ADSTREAM_TOKEN_KEY: 64 hex chars, the AES-256 key of brand tokens
}

// LoadSync reads the sync section.
func LoadSync(e *Env) Sync {
	return Sync{
		TokenKey: e.Secret("ADSTREAM_TOKEN_KEY", "64 hex chars: AES-256 key that encrypts brand access tokens in ClickHouse (dev generates one under the data dir)"),
	}
}

// Topics names the Kafka topics; tests give each run its own.
type Topics struct {
	SyncRequests string
	Ads          string
	Insights     string
	SyncEvents   string
	DLQ          string
}

// DefaultTopics returns the production topic names of DESIGN.md.
func DefaultTopics() Topics {
	return Topics{
		SyncRequests: schemas.TopicSyncRequests,
		Ads:          schemas.TopicAds,
		Insights:     schemas.TopicInsights,
		SyncEvents:   schemas.TopicSyncEvents,
		DLQ:          schemas.TopicDLQ,
	}
}

// LoadTopics reads ADSTREAM_TOPIC_PREFIX, which replaces the leading
// "adstream" of every topic name (tests and staging give each run its own).
func LoadTopics(e *Env) Topics {
	prefix := e.String("ADSTREAM_TOPIC_PREFIX", "adstream", "prefix of the Kafka topic names (<prefix>.ads.v1, ...)")
	if !topicPrefix.MatchString(prefix) {
		e.Fail("ADSTREAM_TOPIC_PREFIX", "%q must be letters, digits, '.', '_' or '-'", prefix)
		prefix = "adstream"
	}
	t := DefaultTopics()
	for _, name := range []*string{&t.SyncRequests, &t.Ads, &t.Insights, &t.SyncEvents, &t.DLQ} {
		*name = prefix + strings.TrimPrefix(*name, "adstream")
	}
	return t
}

// Named returns the configured name of the topic whose default name is
// defaultName (a schemas.Topic* constant), or defaultName if it is none of them.
func (t Topics) Named(defaultName string) string {
	d := DefaultTopics()
	for _, pair := range [][2]string{{d.SyncRequests, t.SyncRequests}, {d.Ads, t.Ads}, {d.Insights, t.Insights},
		{d.SyncEvents, t.SyncEvents}, {d.DLQ, t.DLQ}} {
		if pair[0] == defaultName {
			return pair[1]
		}
	}
	return defaultName
}

var topicPrefix = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// All lists every topic, for creating them.
func (t Topics) All() []string {
	return []string{t.SyncRequests, t.Ads, t.Insights, t.SyncEvents, t.DLQ}
}
