// Package api serves adstream's REST API: paginated creatives, sync jobs and
// their status, read from ClickHouse.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// Store is what the API reads and records; clickhouse/store implements it.
type Store interface {
	GetBrand(ctx context.Context, brandID string) (store.Brand, error)
	CountCreatives(ctx context.Context, r store.Range, filters map[string]string) (int64, error)
	ListCreatives(ctx context.Context, q store.ListQuery) ([]store.Creative, error)
	LatestJob(ctx context.Context, r store.Range) (store.SyncJob, error)
	RecordQueued(ctx context.Context, r store.Range, jobID string, kind schemas.SyncKind, at time.Time) error
	Aggregations(ctx context.Context, q store.AggregationQuery) (store.Aggregation, error)
	AggregateNow(ctx context.Context, q store.AggregationQuery) (store.Aggregation, error)
	EnsureRange(ctx context.Context, r store.Range) (covered bool, newestDay time.Time, err error)
	Series(ctx context.Context, q store.SeriesQuery) ([]store.SeriesPoint, error)
	RebuildAggregations(ctx context.Context, r store.Range, jobID string) (uint64, error)
	DeleteRange(ctx context.Context, r store.Range) (int64, error)
	PutBrand(ctx context.Context, b store.Brand) error
	ListBrands(ctx context.Context) ([]store.Brand, error)
	DeleteBrand(ctx context.Context, brandID string) error
	PurgeBrand(ctx context.Context, brandID string) error
	Ping(ctx context.Context) error
}

// Queue publishes sync requests for the producers.
type Queue interface {
	Enqueue(ctx context.Context, req *schemas.SyncRequest) error
}

// Config is the API's listen address.
type Config struct {
	Addr string
}

// Deps are the API's collaborators, built by cmd/adstream.
type Deps struct {
	Store    Store
	Queue    Queue
	Log      *slog.Logger
	Registry *prometheus.Registry // served at /metrics; the API's own metrics are registered on it
	Fallback *Fallback            // live first-read fetch from the Graph API; nil disables it
	Access   Access               // API keys and rate limits of /api/*; the zero value is open and unlimited
	Tokens   *tokenbox.Box        // seals the tokens of POST /api/brands; nil makes it answer 503
	Graph    *graph.Client        // checks a registered brand's token and accounts; nil skips the check
	Presync  Presync              // the ranges a brand's registration warms; zero: none
	Videos   VideoStore           // video analysis results, feed and export; nil answers those routes 503
	// CORSOrigins are the origins (scheme://host[:port]) whose pages may
	// call the API from a browser; none: only pages the API serves.
	CORSOrigins []string
	// StreamKey signs the progress stream's tokens; empty: a random key
	// made by New, so tokens work only on this process.
	StreamKey []byte
	// MediaOrigins are origins besides https: ones that the creative
	// browser may show thumbnails and videos from (dev: graphsim's).
	MediaOrigins []string
	// ProgressPoll is how often the progress stream reads a job's state (default 500ms).
	ProgressPoll time.Duration
	// ReadCache bounds the read cache of list and aggregation answers
	// (see readcache.go); the zero value takes its defaults.
	ReadCache ReadCacheLimits
	// ReadStaleness is how long a range's read stamp answers cached reads
	// without a ClickHouse round trip (see versionGate); 0 checks every read.
	ReadStaleness time.Duration
	// Now is the clock whose day bounds the dates a request may name (default time.Now).
	Now func() time.Time
	// MediaNow is the clock media URLs expire by (default time.Now): the
	// CDN's. dev sets graphsim's, which signs its URLs by its own clock.
	MediaNow func() time.Time
}

type server struct {
	deps    Deps
	metrics *metrics
	jobs    *jobs.Queue
	keys    *keyring
	streams *streamSigner
	cache   *readCache      // list and aggregation answers by the version they were read at; nil: off
	gate    *versionGate    // reads ranges' versions for a versionedStore; nil for any other
	media   *mediaRefresher // refreshes expiring video and thumbnail URLs before reads hand them out
	// stopping is closed when the server starts shutting down, so that
	// progress streams end instead of holding the shutdown up.
	stopping chan struct{}
}

// New builds the Fiber app with every route; Run serves it.
func New(deps Deps) *fiber.App {
	app, _ := newApp(deps)
	return app
}

func newApp(deps Deps) (*fiber.App, *server) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &server{deps: deps, metrics: newMetrics(deps.Registry), stopping: make(chan struct{}),
		keys: newKeyring(deps.Access.Keys), streams: newStreamSigner(deps.StreamKey, deps.Now)}
	s.jobs = &jobs.Queue{Store: deps.Store, Publisher: deps.Queue,
		OnQueued: func(kind schemas.SyncKind) { s.metrics.queued.WithLabelValues(string(kind)).Inc() }}
	if deps.Registry != nil {
		s.cache = newReadCache(deps.ReadCache, deps.Registry)
	} else {
		s.cache = newReadCache(deps.ReadCache, nil)
	}
	if vs, ok := deps.Store.(versionedStore); ok {
		s.gate = newVersionGate(vs.ReadStamp, deps.ReadStaleness)
	}
	app := fiber.New(fiber.Config{
		AppName:               "adstream",
		ErrorHandler:          errorHandler(deps.Log),
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		BodyLimit:             maxAnalysisBody, // limitBodies holds every other route to 64 KiB
	})
	app.Use(s.accessLog)     // first: it times and ids every request, and logs what the client got
	app.Use(securityHeaders) // outside observe, so it sees the status of rendered errors
	app.Use(s.observe)
	// CORS before the keys: a browser's preflight carries none.
	app.Use(s.cors())
	app.Use(s.compress())   // outside revalidate: the ETag is the identity body's, plus the coding
	app.Use(s.revalidate)   // ETag, 304 and Cache-Control
	app.Use(s.renderErrors) // so the middleware above sees each error's status and body
	app.Use(recover.New())  // a panicking handler answers 500 (and is counted) instead of ending the process
	app.Use(limitBodies)
	app.Use(s.endStalenessAfter) // writes through this replica end the read staleness bound
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/openapi.json", s.openAPI)
	index, assets := s.page() // the creative browser
	app.Get("/", index)
	app.Get("/assets/:name", assets)
	// The progress stream comes before the /api group, whose key check it
	// replaces: EventSource sends no headers, so a stream token may open it.
	access := s.access()
	app.Get("/api/creatives/sync/events/:brandId", access.identify, access.limit, s.streamAccess, s.syncEvents)
	a := app.Group("/api", access.identify, access.limit, access.requireKey) // every other /api/* route
	// Routes naming a brand check it is in the key's scope (inScope).
	a.Post("/brands", s.adminOnly, s.registerBrand)
	a.Get("/brands", s.listBrands)
	a.Get("/brands/:brandId", s.inScope, s.getBrand)
	a.Delete("/brands/:brandId", s.adminOnly, s.deleteBrand)
	syncLimit := s.syncLimit() // one budget for everything that queues jobs
	a.Post("/brands/:brandId/presync", s.inScope, syncLimit, s.presyncBrand)
	g := a.Group("/creatives")
	g.Post("/sync/stream-token/:brandId", s.inScope, s.issueStreamToken)
	g.Post("/sync/:brandId", s.inScope, syncLimit, s.startSync(schemas.SyncKindFull))
	g.Get("/sync/status/:brandId", s.inScope, s.syncStatus)
	g.Post("/refresh/:brandId", s.inScope, syncLimit, s.startSync(schemas.SyncKindRefresh))
	g.Get("/:brandId/aggregations", s.inScope, s.getAggregations)
	g.Get("/:brandId/series", s.inScope, s.getSeries)
	g.Get("/:brandId", s.inScope, s.listCreatives)
	g.Delete("/:brandId", s.inScope, s.deleteCreatives)
	s.mountVideos(a) // video analysis: results, the feed of videos to analyse, the export (videos.go)
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, fmt.Sprintf("no route %s %s", c.Method(), c.Path()))
	})
	return app, s
}

// Run serves the API on cfg.Addr until ctx ends, then drains in-flight
// requests for at most 10 s (ShutdownWithContext).
func Run(ctx context.Context, cfg Config, deps Deps) error {
	app, s := newApp(deps)
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("api listen %s: %w", cfg.Addr, err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(l) }()
	deps.Log.Info("api listening", "addr", cfg.Addr)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	close(s.stopping)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(sctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("api shutdown: %w", err)
	}
	deps.Log.Info("api stopped")
	return <-done
}
