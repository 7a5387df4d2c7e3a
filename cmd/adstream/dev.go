package main

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"time"

	"github.com/oklog/run"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/telemetry"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

func devCommand() command {
	return command{summary: "run every role in one process on the embedded local stack",
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			s := settings{ClickHouse: config.LoadClickHouse(e), Kafka: config.LoadKafka(e), Graph: config.LoadGraph(e),
				Telemetry: config.LoadTelemetry(e, ""), Sync: config.LoadSync(e),
				HTTPAddr: loadHTTPAddr(e), Topics: config.LoadTopics(e), RefreshInterval: loadRefreshInterval(e), InsightsLookback: loadInsightsLookback(e),
				PresyncDays: config.LoadPresyncDays(e), Membership: config.LoadMembership(e), GraphConcurrency: loadGraphConcurrency(e),
				ReadStaleness: loadReadStaleness(e)}
			simAddr := e.HostPort("ADSTREAM_GRAPHSIM_ADDR", "127.0.0.1:8090", "where dev serves graphsim when ADSTREAM_GRAPH_URL is empty")
			dataDir := e.String("ADSTREAM_DATA_DIR", ".data", "where dev keeps the private ClickHouse and the token key")
			chPort := loadDevClickHousePort(e)
			demoAds := e.Int("ADSTREAM_DEMO_ADS", 3000, 1, "ads per account of graphsim's demo world")
			batch := loadBatch(e, devBatchRows)
			// The Go runtime reads GOMEMLIMIT itself, at start; dev only supplies a default.
			ownLimit := e.String("GOMEMLIMIT", "", "Go's soft memory limit (like 512MiB; off: none); unset, dev sets 256MiB") == ""
			s.API.RateLimit, s.API.SyncRateLimit = config.LoadRateLimits(e) // no keys in dev: limits count per client IP
			// The configured origins and dev's own page.
			s.API.CORSOrigins = append(config.LoadCORSOrigins(e), "http://"+s.HTTPAddr)
			if err := e.Check(); err != nil {
				return err
			}
			if ownLimit {
				debug.SetMemoryLimit(devMemoryLimit)
			}
			log := telemetry.NewLogger(io.err, s.Telemetry)
			log.Warn("dev mode: the API runs without API keys")

			// Start order: storage, broker, Graph API; stop order is the reverse.
			var err error
			var stopCH, stopKafka func()
			if s.ClickHouse, stopCH, err = devClickHouse(ctx, s.ClickHouse, dataDir, chPort, log); err != nil {
				return err
			}
			defer stopCH()
			if s.Kafka, stopKafka, err = devKafka(s.Kafka, log); err != nil {
				return err
			}
			defer stopKafka()
			if s.Sync.TokenKey, err = devTokenKey(s.Sync.TokenKey, dataDir); err != nil {
				return err
			}

			var g run.Group
			var sim *graphsim.Server
			clock := devClock(time.Now())
			if s.Graph.URL == "" {
				if sim, err = graphsim.New(graphsim.Options{Seed: 1, Brands: 1, Accounts: 2, Ads: demoAds, Now: clock}); err != nil {
					return err
				}
				l, err := net.Listen("tcp", simAddr)
				if err != nil {
					return fmt.Errorf("graphsim listen: %w", err)
				}
				s.Graph.URL = "http://" + l.Addr().String()
				addActor(&g, ctx, func(ctx context.Context) error { return serveHTTP(ctx, l, sim, log) })
				log.Info("graphsim serving the demo world", "url", s.Graph.URL, "ads_per_account", demoAds)
			}

			reg := telemetry.NewRegistry()
			gc, err := newGraphClient(s.Graph, log, reg) // one client: its metrics register once
			if err != nil {
				return err
			}
			st, conn, err := openStore(ctx, s.ClickHouse, log) // one pool and one migration for every role
			if err != nil {
				return err
			}
			defer conn.Close()
			apiDeps, closeAPI, err := apiDeps(ctx, s, st, log, reg, gc)
			if err != nil {
				return err
			}
			defer closeAPI()
			if sim != nil {
				apiDeps.MediaOrigins = []string{s.Graph.URL} // the page shows graphsim's thumbnails
				apiDeps.MediaNow = sim.Now                   // graphsim signs its media URLs by its own clock
			}
			pcfg, pdeps, err := producerDeps(ctx, s, st, log, reg, gc)
			if err != nil {
				return err
			}
			ccfg, cdeps, err := consumerDeps(ctx, s, st, batch, log, reg)
			if err != nil {
				return err
			}
			cdeps.Aggregates = handingBack{cdeps.Aggregates}
			pid, releaseP := instanceID(s.Membership, "producer", log)
			defer releaseP()
			cid, releaseC := instanceID(s.Membership, "consumer", log)
			defer releaseC()
			pcfg.InstanceID, ccfg.InstanceID = pid, cid
			if sim != nil {
				if err := registerDemoBrands(ctx, sim, st, s.Sync.TokenKey); err != nil {
					return err
				}
			}
			addActor(&g, ctx, func(ctx context.Context) error { return consumers.Run(ctx, ccfg, cdeps) })
			addActor(&g, ctx, func(ctx context.Context) error { return producers.Run(ctx, pcfg, pdeps) })
			addActor(&g, ctx, func(ctx context.Context) error { return api.Run(ctx, api.Config{Addr: s.HTTPAddr}, apiDeps) })
			if sim != nil {
				addActor(&g, ctx, func(ctx context.Context) error {
					return queueDemoSync(ctx, apiDeps, demoRange(clock), s.HTTPAddr, io)
				})
			}
			return g.Run()
		}}
}

// devClock is where dev starts graphsim's clock: the start of now's day
// (UTC). The media URLs graphsim signs then stay valid for days by the real
// clock, as the Graph API's do, and the demo world, which graphsim derives
// from its seed and clock start, is the same all day.
func devClock(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// demoRange is the range dev syncs first: the 30 complete days before
// graphsim's clock start, the range the creative browser shows by default.
func demoRange(clock time.Time) store.Range {
	return store.Range{BrandID: "demo", StartDate: clock.AddDate(0, 0, -30).Format(time.DateOnly),
		EndDate: clock.AddDate(0, 0, -1).Format(time.DateOnly)}
}

// devBatchRows is dev's consumer batch: a tenth of a consumer process's
// (consumers.DefaultBatchRows), whose batches alone would take more than
// dev's memory limit allows. dev ingests at a third of the speed
// (BenchmarkIngest), which a demo brand does not notice.
const devBatchRows = 10_000

// devMemoryLimit is dev's soft memory limit when GOMEMLIMIT is unset. A
// sync's work is bounded (a Kafka fetch, the consumer's two batches, the
// producer's Graph calls in flight: 100 to 160 MB of live heap at any world
// size, 20 to 35 MB once it is stored), but with Go's default GOGC the heap
// grows to twice what was live at the last collection, and an idle process
// keeps it until the forced collection two minutes later (dev hands it back
// once a sync is stored: handingBack). BenchmarkWorld at
// 100k ads: 311 MB after the first sync and a 600 MB peak without it, 245
// and 282 MB with it. Near the limit the runtime collects sooner (a 100k
// sync ran half again as many collections); paired syncs where it bound took
// no longer (30k ads at 192 MiB: 43.8 s against 50.7 s without; 50k at 256
// MiB: 60.6 s against 64.4 s). It sits above the working set and the API's
// read cache (64 MiB); far lower (128 MiB) the collector runs without pause
// and a 30k sync took 72 s.
const devMemoryLimit = 256 << 20

// queueDemoSync queues the first sync of the demo brand, prints the URLs to
// try, and then waits for shutdown (it is an actor of the dev group).
func queueDemoSync(ctx context.Context, deps api.Deps, r store.Range, httpAddr string, io stdio) error {
	q := &jobs.Queue{Store: deps.Store, Publisher: deps.Queue}
	queued, err := q.Sync(ctx, r, schemas.SyncKindFull, "dev")
	if err != nil {
		return err
	}
	base := "http://" + httpAddr
	query := "startDate=" + r.StartDate + "&endDate=" + r.EndDate
	fmt.Fprintf(io.out, `
adstream dev is up. A first sync of brand "demo" (%s..%s) is queued as %s.
Open the creative browser:
  %s/?brand=demo&%s
Try:
  curl -s '%s/api/creatives/sync/status/demo?%s'
  curl -s '%s/api/creatives/demo?%s&page=1&limit=10'
  curl -s '%s/api/creatives/demo?%s&page=1&limit=5&sortBy=ctr&filters=%%7B%%22creative_type%%22%%3A%%22video%%22%%7D'
  curl -s '%s/api/creatives/demo/series?%s&metrics=spend,impressions&creative_type=video'
  curl -s '%s/metrics'
  ADSTREAM_API_URL=%s adstream sync --brand demo --start %s --end %s --follow
Ctrl-C stops everything.
`, r.StartDate, r.EndDate, queued.JobID, base, query, base, query, base, query, base, query, base, query, base, base, r.StartDate, r.EndDate)
	<-ctx.Done()
	return nil
}
