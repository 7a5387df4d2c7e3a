package main

import (
	"time"

	"github.com/adstream/adstream/internal/config"
)

// settings is everything the roles read from the environment; each command
// reads the sections it needs, so --help lists exactly those.
type settings struct {
	ClickHouse config.ClickHouse
	Kafka      config.Kafka
	Graph      config.Graph
	Telemetry  config.Telemetry
	Sync       config.Sync
	HTTPAddr   string
	Topics     config.Topics
	// RefreshInterval is how often the producer's scheduler refreshes synced ranges.
	RefreshInterval time.Duration
	// InsightsLookback is the restatement window of daily insights.
	InsightsLookback time.Duration
	// GraphConcurrency is how many Graph calls a sync job has in flight.
	GraphConcurrency int
	// PresyncDays are the ranges a brand's registration queues.
	PresyncDays []int
	// API is who may call the REST API and how often (dev reads only the limits).
	API config.APIAccess
	// ReadStaleness is how long the API answers cached reads of a range
	// without checking its read stamp.
	ReadStaleness time.Duration
	// Membership is how producers and consumers join their groups.
	Membership config.Membership
}

// requireAPIKeys fails when `adstream api` would serve /api/* to anyone
// without that being asked for.
func requireAPIKeys(e *config.Env, a config.APIAccess) {
	if len(a.Keys) == 0 && !a.AllowNoAuth && !e.Help {
		e.Fail("ADSTREAM_API_KEYS", "is required (comma-separated keys of at least %d characters); "+
			"set ADSTREAM_ALLOW_NO_AUTH=true to serve the API without keys", config.MinAPIKeyLength)
	}
}

func loadHTTPAddr(e *config.Env) string {
	return e.HostPort("ADSTREAM_HTTP_ADDR", "127.0.0.1:8080", "API listen address")
}

// requireBrokers fails outside dev when no brokers are configured.
func requireBrokers(e *config.Env, k config.Kafka) {
	if len(k.Brokers) == 0 && !e.Help {
		e.Fail("ADSTREAM_KAFKA_BROKERS", "is required (only `adstream dev` runs an embedded broker)")
	}
}

// requireTokenKey fails when the brand-token key is missing.
func requireTokenKey(e *config.Env, s config.Sync) {
	if s.TokenKey == "" && !e.Help {
		e.Fail("ADSTREAM_TOKEN_KEY", "is required (64 hex chars; `adstream dev` generates one)")
	}
}
