package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/telemetry"
)

func apiCommand() command {
	return command{summary: "serve the REST API (reads ClickHouse, queues syncs on Kafka)",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e), Graph: config.LoadGraph(e),
				Telemetry: config.LoadTelemetry(e, ""), Sync: config.LoadSync(e), HTTPAddr: loadHTTPAddr(e), Topics: config.LoadTopics(e),
				API: config.LoadAPIAccess(e), PresyncDays: config.LoadPresyncDays(e), RefreshInterval: loadRefreshInterval(e),
				ReadStaleness: loadReadStaleness(e)}
			requireBrokers(e, s.Kafka)
			requireAPIKeys(e, s.API)
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			if len(s.API.Keys) == 0 {
				log.Warn("the API runs without API keys (ADSTREAM_ALLOW_NO_AUTH=true)")
			}
			if s.Sync.TokenKey == "" {
				log.Info("brand registration off: POST /api/brands needs ADSTREAM_TOKEN_KEY")
			}
			if s.API.StreamKey == "" {
				log.Info("progress-stream tokens are signed with a key made at start: only this instance accepts them, until it stops; set ADSTREAM_STREAM_KEY to share one")
			}
			reg := telemetry.NewRegistry()
			var err error
			var gc *graph.Client
			if s.Graph.URL != "" && s.Sync.TokenKey != "" {
				if gc, err = newGraphClient(s.Graph, log, reg); err != nil {
					return err
				}
			} else {
				log.Info("live first-read fallback off: it needs ADSTREAM_GRAPH_URL and ADSTREAM_TOKEN_KEY")
			}
			st, conn, err := openStore(ctx, s.ClickHouse, log)
			if err != nil {
				return err
			}
			defer conn.Close()
			deps, cleanup, err := apiDeps(ctx, s, st, log, reg, gc)
			if err != nil {
				return err
			}
			defer cleanup()
			return api.Run(ctx, api.Config{Addr: s.HTTPAddr}, deps)
		}}
}

// apiDeps builds what the API needs over st; cleanup closes its Kafka client
// after the API stopped. With the token key brands can be registered; with a
// Graph client as well, their tokens are checked and the live first-read
// fallback is on.
func apiDeps(ctx context.Context, s settings, st *store.Store, log *slog.Logger, reg *prometheus.Registry, gc *graph.Client) (api.Deps, func(), error) {
	codec, err := newCodec(ctx, s.Kafka, s.Topics)
	if err != nil {
		return api.Deps{}, nil, err
	}
	cl, err := bus.NewQueueClient(s.Kafka.Brokers, log, bus.Metrics(reg, "api"))
	if err != nil {
		return api.Deps{}, nil, err
	}
	if err := ensureSyncTopic(ctx, s, cl); err != nil {
		cl.Close()
		return api.Deps{}, nil, err
	}
	deps := api.Deps{Store: st, Videos: st, Queue: bus.NewSyncQueue(cl, s.Topics.SyncRequests, codec), Log: log, Registry: reg,
		Access:  api.Access{Keys: apiKeys(s.API.Keys), RateLimit: s.API.RateLimit, SyncRateLimit: s.API.SyncRateLimit},
		Presync: api.Presync{Days: s.PresyncDays, FreshFor: s.RefreshInterval}, CORSOrigins: s.API.CORSOrigins, ReadStaleness: s.ReadStaleness}
	if s.API.StreamKey != "" {
		deps.StreamKey, _ = hex.DecodeString(s.API.StreamKey.Reveal()) // config checked it is hex
	}
	if s.Sync.TokenKey != "" {
		box, err := newTokenBox(s.Sync.TokenKey)
		if err != nil {
			cl.Close()
			return api.Deps{}, nil, err
		}
		deps.Tokens = box
		if gc != nil {
			deps.Graph = gc
			deps.Fallback = &api.Fallback{Graph: gc, Tokens: box, Writer: st}
		}
	}
	return deps, cl.Close, nil
}

// loadReadStaleness reads how long a range's read stamp answers cached reads
// without a ClickHouse round trip. 100 ms keeps a cached read from memory
// alone while a range is read steadily (the stamp is read again in the
// background after 50 ms), and a change made elsewhere shows within a tenth
// of a second: below what a person notices, and what a client polling the
// job's status on this replica never sees (a status read ends the bound).
func loadReadStaleness(e *config.Env) time.Duration {
	return e.DurationOrZero("ADSTREAM_READ_STALENESS", 100*time.Millisecond,
		"how long a cached read may go unchecked against ClickHouse: changes made through another API replica or by the consumers show within it; 0 checks every read (api)")
}

// apiKeys hands the configured keys, revealed, to the API's key check.
func apiKeys(keys []config.APIKey) []api.Key {
	out := make([]api.Key, len(keys))
	for i, k := range keys {
		out[i] = api.Key{Secret: k.Key.Reveal(), Brands: k.Brands}
	}
	return out
}

// topicCheckTimeout bounds the API's start-up check of its Kafka topic: long
// enough for a broker that is still starting, short enough that a wrong
// address or a missing permission stops the start with a clear error.
const topicCheckTimeout = 30 * time.Second

// ensureSyncTopic makes sure the topic the API queues syncs on exists before
// it serves: without it every sync would fail after franz-go's retries.
func ensureSyncTopic(ctx context.Context, s settings, cl *kgo.Client) error {
	ctx, cancel := context.WithTimeout(ctx, topicCheckTimeout)
	defer cancel()
	if err := bus.EnsureTopics(ctx, cl, s.Topics.SyncRequests); err != nil {
		return fmt.Errorf("kafka %s: %w", strings.Join(s.Kafka.Brokers, ","), err)
	}
	return nil
}
