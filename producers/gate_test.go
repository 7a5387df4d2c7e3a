package producers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
)

func TestCallGateNarrowsAsUsageRises(t *testing.T) {
	tests := []struct {
		give float64 // usage percent
		want int
	}{
		{0, 8}, {50, 8}, {60, 6}, {70, 4}, {80, 2}, {89, 1}, {90, 1}, {120, 1},
	}
	for _, tt := range tests {
		var pct atomic.Value
		pct.Store(tt.give)
		g := newCallGate(8, func() float64 { return pct.Load().(float64) })
		got := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			err := g.Acquire(ctx, 0)
			cancel()
			if err != nil {
				break
			}
			got++
		}
		if got != tt.want {
			t.Errorf("usage %v%%: %d calls admitted, want %d", tt.give, got, tt.want)
		}
	}
}

// A call waiting at a full gate starts when another ends, or gives up with
// its context.
func TestCallGateWaitsForARelease(t *testing.T) {
	g := newCallGate(1, func() float64 { return 0 })
	if err := g.Acquire(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Acquire(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire at a full gate with a cancelled context = %v, want context.Canceled", err)
	}
	started := make(chan error, 1)
	go func() { started <- g.Acquire(context.Background(), 0) }()
	select {
	case err := <-started:
		t.Fatalf("a second call started while the first was in flight (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	g.Release()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
}

// A freed call goes to the account earliest in the plan, whatever the order
// the calls came in.
func TestCallGateAdmitsEarlierAccountsFirst(t *testing.T) {
	g := newCallGate(1, func() float64 { return 0 })
	if err := g.Acquire(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	admitted := make(chan int, 3)
	for i, prio := range []int{2, 1} {
		go func() {
			if g.Acquire(context.Background(), prio) == nil {
				admitted <- prio
			}
		}()
		for { // wait until it queued, so arrivals are ordered
			g.mu.Lock()
			n := g.waiting.Len()
			g.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	g.Release()
	if got := <-admitted; got != 1 {
		t.Fatalf("first admitted: account %d, want 1 (it waited less but comes first in the plan)", got)
	}
	g.Release()
	if got := <-admitted; got != 2 {
		t.Fatalf("then account %d, want 2", got)
	}
}

// A report run waiting between its status polls holds none of the gate's
// calls: with one call allowed, a lookup asked while the run computes
// answers before the run completes, not after it.
func TestGateBoundsCallsNotReportRunWaits(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	sim, err := graphsim.New(graphsim.Options{Seed: 3, Ads: 20, AsyncPolls: 10})
	if err != nil {
		t.Fatal(err)
	}
	runStarted := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sim.ServeHTTP(w, r)
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/insights") {
			once.Do(func() { close(runStarted) })
		}
	}))
	defer srv.Close()
	// Ten polls 200 ms apart: the run computes for 2 s.
	gc, err := graph.New(graph.Config{BaseURL: srv.URL, ReportPoll: 200 * time.Millisecond, ReportPollMax: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	brand := sim.Brands()[0]
	tok, acct := graph.Token(brand.AccessToken), brand.AdAccountIDs[0]
	gate := gateFor{g: newCallGate(1, func() float64 { return 0 })}

	run := make(chan error, 1)
	go func() {
		run <- gate.call(ctx, func(ctx context.Context) error {
			q := graph.InsightsQuery{AccountID: acct, Since: "2026-11-20", Until: "2026-11-26", Daily: true}
			_, err := gc.InsightsByReportRuns(tok, q).Next(ctx)
			return err
		})
	}()
	<-runStarted
	began := time.Now()
	err = gate.call(ctx, func(ctx context.Context) error {
		var v struct{ Name string }
		return gc.Get(ctx, tok, acct, url.Values{"fields": {"name"}}, &v)
	})
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	t.Logf("the lookup answered %s after the report run started", time.Since(began).Round(time.Microsecond))
	select {
	case err := <-run:
		t.Fatalf("the lookup answered only after the report run ended (%v): the run's waits held the gate's one call", err)
	default:
	}
	if err := <-run; err != nil {
		t.Fatalf("report run: %v", err)
	}
}
