package producers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// testTimeout bounds every test of this package.
const testTimeout = 30 * time.Second

// The range every job of these tests syncs: the 30 days before graphsim's
// default clock start (2026-11-28).
const (
	since = "2026-10-29"
	until = "2026-11-27"
)

// env is a producer wired to the test broker (testenv.Kafka: the real one
// under make test) and a graphsim world.
type env struct {
	brokers []string
	topics  config.Topics
	cl      *kgo.Client
	adm     *kadm.Client
	codec   schemas.Codec
	sim     *graphsim.Server
	simURL  string
	brand   graphsim.Brand // graphsim's first brand, "demo"
	brands  *memBrands
	box     *tokenbox.Box
	failing *failingCodec // the producer's codec; can be told to fail insights
	calls   *inFlight     // the Graph calls graphsim is answering

	graphConfig func(*graph.Config) // changes the producer's Graph client config; nil keeps it
	jobs        producers.JobStore  // the producer's sync history; nil: none
}

// inFlight counts the Graph API calls a server is answering at once.
type inFlight struct {
	now, most atomic.Int64
}

func (f *inFlight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.now.Add(1)
		defer f.now.Add(-1)
		for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
		}
		h.ServeHTTP(w, r)
	})
}

// failingCodec is the real codec, failing to encode AdInsight records while
// failInsights is set, as a broken schema or serializer would.
type failingCodec struct {
	schemas.Codec
	failInsights atomic.Bool
}

func (c *failingCodec) Encode(v any) ([]byte, error) {
	if _, ok := v.(*schemas.AdInsight); ok && c.failInsights.Load() {
		return nil, errors.New("encoder broken")
	}
	return c.Codec.Encode(v)
}

// newEnv starts a broker, a graphsim world of two accounts of 300 ads and,
// in the background until the test ends, producers.Run with the test's
// config changed by opts.
func newEnv(t *testing.T, opts ...func(*producers.Config)) *env {
	t.Helper()
	e := newWorld(t)
	cfg := producers.Config{Group: testenv.Group(t, e.brokers, "producers"), RetryBackoff: 10 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	e.startProducer(t, cfg)
	return e
}

// newWorld is newEnv without the producer.
func newWorld(t *testing.T) *env {
	t.Helper()
	brokers := testenv.Kafka(t)
	sim, err := graphsim.New(graphsim.Options{Seed: 1, Brands: 1, Accounts: 2, Ads: 300})
	if err != nil {
		t.Fatalf("graphsim: %v", err)
	}
	calls := &inFlight{}
	srv := httptest.NewServer(calls.wrap(sim))
	t.Cleanup(srv.Close)
	codec, err := schemas.NewSerde()
	if err != nil {
		t.Fatalf("serde: %v", err)
	}
	box, err := tokenbox.New(tokenbox.NewKey())
	if err != nil {
		t.Fatalf("tokenbox: %v", err)
	}
	e := &env{
		brokers: brokers, topics: topicsFor(t, brokers), codec: codec,
		sim: sim, simURL: srv.URL, brand: sim.Brands()[0], box: box, failing: &failingCodec{Codec: codec},
		calls: calls,
	}
	e.brands = &memBrands{m: map[string]store.Brand{e.brand.BrandID: {
		BrandID: e.brand.BrandID, Name: "Demo", TokenCiphertext: box.Seal(e.brand.AccessToken), AdAccountIDs: e.brand.AdAccountIDs,
	}}}
	e.cl, err = kgo.NewClient(kgo.SeedBrokers(e.brokers...))
	if err != nil {
		t.Fatalf("kafka client: %v", err)
	}
	t.Cleanup(e.cl.Close)
	e.adm = kadm.NewClient(e.cl)
	return e
}

// startProducer runs producers.Run with cfg, completed to use the env, in
// the background until the test ends.
func (e *env) startProducer(t *testing.T, cfg producers.Config) {
	t.Helper()
	gcfg := graph.Config{
		BaseURL: e.simURL,
		// Pages of 100 rows: several pages and id lookups per account.
		PageLimit: 100,
		// Retries wait for nothing: the test bounds time, not the backoff.
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	if e.graphConfig != nil {
		e.graphConfig(&gcfg)
	}
	gc, err := graph.New(gcfg)
	if err != nil {
		t.Fatalf("graph client: %v", err)
	}
	runCtx, stop := context.WithTimeout(context.Background(), testTimeout)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Brokers, cfg.Topics = e.brokers, e.topics
	go func() {
		done <- producers.Run(runCtx, cfg, producers.Deps{Brands: e.brands, Graph: gc, Tokens: e.box, Codec: e.failing, Log: log, Jobs: e.jobs})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("producers.Run: %v", err)
		}
	})
}

// topicsFor creates the topic set of this test run (as many partitions as
// the producer's own EnsureTopics would give them); they are deleted when
// the test ends.
func topicsFor(t *testing.T, brokers []string) config.Topics {
	t.Helper()
	p := testenv.UniqueName(t, "test")
	tp := config.Topics{
		SyncRequests: p + ".sync-requests", Ads: p + ".ads", Insights: p + ".insights",
		SyncEvents: p + ".sync-events", DLQ: p + ".dlq",
	}
	testenv.CreateTopics(t, brokers, bus.Partitions, tp.All()...)
	return tp
}

// memBrands is the brand registry, in memory. Its next failures lookups
// fail as if ClickHouse were unreachable.
type memBrands struct {
	mu       sync.Mutex
	m        map[string]store.Brand
	failures int
}

var _ producers.Brands = (*memBrands)(nil)

func (b *memBrands) GetBrand(_ context.Context, id string) (store.Brand, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures > 0 {
		b.failures--
		return store.Brand{}, errors.New("clickhouse 127.0.0.1:9000: connection refused")
	}
	br, ok := b.m[id]
	if !ok {
		return store.Brand{}, store.ErrNotFound
	}
	return br, nil
}

func (b *memBrands) put(br store.Brand) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[br.BrandID] = br
}

// request returns a FULL sync request of the test range.
func request(jobID, brandID string) *schemas.SyncRequest {
	return &schemas.SyncRequest{
		JobID: jobID, BrandID: brandID, StartDate: since, EndDate: until,
		Kind: schemas.SyncKindFull, RequestedAt: time.Now().UTC().Truncate(time.Millisecond), RequestedBy: "test",
	}
}

// enqueue publishes req on the sync-requests topic.
func (e *env) enqueue(ctx context.Context, t *testing.T, req *schemas.SyncRequest) {
	t.Helper()
	q := bus.NewSyncQueue(e.cl, e.topics.SyncRequests, e.codec)
	// The API's 5 s answer to a client is not under test here: a loaded
	// machine's broker may take longer to acknowledge a first record.
	q.Timeout = 30 * time.Second
	if err := q.Enqueue(ctx, req); err != nil {
		t.Fatal(err)
	}
}

// event is a decoded sync event with its key.
type event struct {
	key string
	*schemas.SyncEvent
}

// waitJob returns the events of job once it completed or failed.
func (e *env) waitJob(ctx context.Context, t *testing.T, jobID string) []event {
	t.Helper()
	for {
		var evs []event
		for _, r := range e.readAll(ctx, t, e.topics.SyncEvents) {
			var ev schemas.SyncEvent
			if err := e.codec.DecodeInto(r.Value, &ev); err != nil {
				t.Fatalf("sync event does not decode: %v", err)
			}
			if ev.JobID == jobID {
				evs = append(evs, event{string(r.Key), &ev})
			}
		}
		if n := len(evs); n > 0 && (evs[n-1].Type == schemas.SyncCompleted || evs[n-1].Type == schemas.SyncFailed) {
			return evs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %s did not end: %v (events so far: %d)", jobID, ctx.Err(), len(evs))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// readAll reads every record of topic from the start to its current end.
func (e *env) readAll(ctx context.Context, t *testing.T, topic string) []*kgo.Record {
	return testenv.ReadTopic(ctx, t, e.brokers, topic)
}

// simInsight is one level=ad insights row as graphsim serves it over HTTP.
type simInsight struct {
	AdID        string
	SpendMicros int64
	Impressions int64
}

// simInsights pages act_{id}/insights of every account of the brand with
// plain HTTP, independently of the graph client, and returns the rows by ad.
func (e *env) simInsights(ctx context.Context, t *testing.T) map[string]simInsight {
	t.Helper()
	out := map[string]simInsight{}
	for _, acct := range e.brand.AdAccountIDs {
		q := url.Values{
			"level":        {"ad"},
			"time_range":   {fmt.Sprintf(`{"since":%q,"until":%q}`, since, until)},
			"fields":       {"ad_id,spend,impressions"},
			"limit":        {"100"},
			"access_token": {e.brand.AccessToken},
		}
		next := e.simURL + "/v21.0/" + acct + "/insights?" + q.Encode()
		for next != "" {
			var page struct {
				Data []struct {
					AdID        string `json:"ad_id"`
					Spend       string `json:"spend"`
					Impressions string `json:"impressions"`
				} `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			getJSON(ctx, t, next, &page)
			for _, r := range page.Data {
				spend, err := graph.ParseMicros(r.Spend)
				if err != nil {
					t.Fatalf("graphsim spend %q: %v", r.Spend, err)
				}
				var imps int64
				if _, err := fmt.Sscan(r.Impressions, &imps); err != nil {
					t.Fatalf("graphsim impressions %q: %v", r.Impressions, err)
				}
				if _, dup := out[r.AdID]; dup {
					t.Fatalf("graphsim served ad %s twice", r.AdID)
				}
				out[r.AdID] = simInsight{AdID: r.AdID, SpendMicros: spend, Impressions: imps}
			}
			next = page.Paging.Next
		}
	}
	return out
}

// truth asks graphsim's control endpoint for the ground truth of the range.
func (e *env) truth(ctx context.Context, t *testing.T, creativeType string) graphsim.Truth {
	t.Helper()
	var tr graphsim.Truth
	getJSON(ctx, t, e.simURL+"/_sim/truth?"+url.Values{
		"brand_id": {e.brand.BrandID}, "since": {since}, "until": {until}, "creative_type": {creativeType},
	}.Encode(), &tr)
	return tr
}

// setFaults replaces graphsim's fault profile through its control endpoint.
func (e *env) setFaults(ctx context.Context, t *testing.T, f graphsim.Faults) {
	t.Helper()
	body, _ := json.Marshal(f)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, e.simURL+"/_sim/faults", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT /_sim/faults: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /_sim/faults: HTTP %d", resp.StatusCode)
	}
}

func getJSON(ctx context.Context, t *testing.T, u string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", req.URL.Path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", req.URL.Path, err)
	}
}
