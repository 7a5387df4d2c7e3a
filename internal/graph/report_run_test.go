package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/adstream/adstream/internal/graphsim"
)

// simClient is a Client against a graphsim world of one account with ads
// ads, whose Graph API metrics it returns; mod changes its config.
type simClient struct {
	c       *Client
	sim     *graphsim.Server
	tok     Token
	acct    string
	metrics *prometheus.Registry
}

// The week every test here reads: graphsim's default clock starts 2026-11-28.
const weekSince, weekUntil = "2026-11-21", "2026-11-27"

func newSimClient(t testing.TB, opts graphsim.Options, mod func(*Config)) *simClient {
	t.Helper()
	opts.Seed = cmp.Or(opts.Seed, 7)
	opts.CallBudget = cmp.Or(opts.CallBudget, 1e9) // usage pacing is not under test
	sim, err := graphsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	reg := prometheus.NewRegistry()
	cfg := Config{
		BaseURL: srv.URL, PageLimit: 100, Observer: NewMetrics(reg, MetricsOptions{}),
		ReportPoll: time.Millisecond, ReportPollMax: 2 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := sim.Brands()[0]
	return &simClient{c: c, sim: sim, tok: Token(b.AccessToken), acct: b.AdAccountIDs[0], metrics: reg}
}

// calls is how many attempts the client's metrics counted for endpoint.
func (s *simClient) calls(endpoint string) int {
	n := 0.0
	for _, status := range []string{"200", "400", "500"} {
		n += testutil.ToFloat64(s.metricsVec().WithLabelValues(endpoint, status))
	}
	return int(n)
}

func (s *simClient) metricsVec() *prometheus.CounterVec {
	return s.c.cfg.Observer.(*Metrics).requests
}

// readAll pages src to the end and returns its rows sorted by ad and day.
func readAll(t testing.TB, src PageSource) []Insight {
	t.Helper()
	var out []Insight
	for !src.Done() {
		raw, err := src.Next(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", src.Page()+1, err)
		}
		rows, err := Decode[Insight](raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b Insight) int {
		return cmp.Or(cmp.Compare(a.AdID, b.AdID), cmp.Compare(a.DateStart, b.DateStart))
	})
	return out
}

// syncRows are the week's daily rows from the synchronous edge.
func (s *simClient) syncRows(t *testing.T) []Insight {
	t.Helper()
	return readAll(t, s.c.Insights(context.Background(), s.tok, s.acct, weekSince, weekUntil, nil).Daily())
}

func sameRows(t *testing.T, got, want []Insight) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("the synchronous edge served no rows: nothing compared")
	}
	if len(got) != len(want) {
		t.Fatalf("report runs gave %d rows, the synchronous edge %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: report run %+v, synchronous edge %+v", i, got[i], want[i])
		}
	}
}

func TestReportRunRowsEqualTheSynchronousEdge(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 150, AsyncPolls: 3}, nil)
	want := s.syncRows(t)
	syncPages := s.calls("insights")

	p := s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
	got := readAll(t, p)
	sameRows(t, got, want)
	if p.Runs() != 1 || p.Splits() != 0 {
		t.Errorf("%d runs, %d splits; want 1 run, no split", p.Runs(), p.Splits())
	}
	// The start and the result pages count as insights calls, the status
	// polls as object calls: graphsim completes a run on its third poll.
	if got, want := s.calls("insights")-syncPages, 1+syncPages; got != want {
		t.Errorf("report run made %d insights calls, want %d (start + %d pages)", got, want, syncPages)
	}
	if got := s.calls("object"); got != 3 {
		t.Errorf("report run polled %d times, want 3", got)
	}
}

func TestFailingReportRunIsSplitIntoDays(t *testing.T) {
	// Runs over more than 2 days fail: the week becomes 4+3 days, then
	// 2+2 and 2+1, each of which completes.
	s := newSimClient(t, graphsim.Options{Ads: 120, AsyncPolls: 2, Faults: graphsim.Faults{AsyncFailDays: 2}}, nil)
	want := s.syncRows(t)

	p := s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
	sameRows(t, readAll(t, p), want)
	if p.Runs() != 7 || p.Splits() != 3 {
		t.Errorf("%d runs, %d splits; want 7 runs (1 + 2 + 4), 3 splits", p.Runs(), p.Splits())
	}
}

func TestReportRunFailingOnOneDayIsAnError(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 20, AsyncPolls: 1, Faults: graphsim.Faults{AsyncFailRate: 1}}, nil)
	p := s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
	_, err := p.Next(context.Background())
	var rre *ReportRunError
	if !errors.As(err, &rre) || !errors.Is(err, ErrReportRun) {
		t.Fatalf("error %v, want a *ReportRunError", err)
	}
	// 7 days → 4 → 2 → 1: the first day's run is the fourth and last.
	if rre.Status != JobFailed || rre.Since != weekSince || rre.Until != weekSince || p.Runs() != 4 {
		t.Errorf("failed with %+v after %d runs; want Job Failed on %s after 4 runs", rre, p.Runs(), weekSince)
	}
}

func TestReportRunNeverCompletingTimesOut(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 20, AsyncPolls: 1 << 30}, func(c *Config) {
		c.ReportTimeout = 20 * time.Millisecond
	})
	q := InsightsQuery{AccountID: s.acct, Since: weekUntil, Until: weekUntil, Daily: true}
	run, err := s.c.StartReportRun(context.Background(), s.tok, q)
	if err != nil {
		t.Fatal(err)
	}
	err = s.c.WaitReportRun(context.Background(), s.tok, run)
	var rre *ReportRunError
	if !errors.As(err, &rre) || !rre.TimedOut || rre.RunID != run.ID || rre.Status != JobRunning {
		t.Fatalf("error %v, want a timed-out *ReportRunError of run %s", err, run.ID)
	}
	if s.calls("object") < 2 {
		t.Errorf("%d polls counted before the time limit, want several", s.calls("object"))
	}

	// ReportPages cannot split a single day: the timeout is its error.
	_, err = s.c.InsightsByReportRuns(s.tok, q).Next(context.Background())
	if !errors.As(err, &rre) || !rre.TimedOut {
		t.Fatalf("paging a run that never completes: %v, want a timed-out *ReportRunError", err)
	}
}

// TestReportRunSkippedAndPollBackoff: "Job Skipped" ends the wait like a
// failure, and the waits between polls double up to ReportPollMax.
func TestReportRunSkippedAndPollBackoff(t *testing.T) {
	statuses := []string{JobNotStarted, JobStarted, JobRunning, JobRunning, JobSkipped}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodPost {
			writeJSON(w, map[string]string{"report_run_id": "6001"})
			return
		}
		writeJSON(w, map[string]any{"id": "6001", "async_status": statuses[n-2], "async_percent_completion": 10 * (n - 2)})
	}, func(c *Config) { c.ReportPoll, c.ReportPollMax = time.Second, 5*time.Second })
	ctx := context.Background()
	run, err := h.c.StartReportRun(ctx, testToken, InsightsQuery{AccountID: "act_9", Since: weekSince, Until: weekUntil})
	if err != nil {
		t.Fatal(err)
	}
	err = h.c.WaitReportRun(ctx, testToken, run)
	var rre *ReportRunError
	if !errors.As(err, &rre) || rre.Status != JobSkipped || rre.TimedOut || rre.Percent != 40 {
		t.Fatalf("error %v, want Job Skipped at 40%%", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if got := h.sleepsSoFar(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits before polls %v, want %v", got, want)
	}
	if start := h.calls[0]; start.Method != http.MethodPost || start.URL.Query().Get("access_token") != "" {
		t.Errorf("start: %s %s; want a POST with the token in the header only", start.Method, start.URL)
	}
}

func TestDailyInsightsChoosesByEstimatedRows(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 50}, func(c *Config) { c.ReportRunRows = 100 })
	ctx := context.Background()
	tests := []struct {
		ads  int
		want string
	}{
		{14, "*graph.Pager"},       // 14 ads × 7 days = 98 rows
		{15, "*graph.ReportPages"}, // 105 rows
	}
	for _, tt := range tests {
		if got := fmt.Sprintf("%T", s.c.DailyInsights(ctx, s.tok, s.acct, weekSince, weekUntil, tt.ads)); got != tt.want {
			t.Errorf("%d ads: %s, want %s", tt.ads, got, tt.want)
		}
	}
	sameRows(t, readAll(t, s.c.DailyInsights(ctx, s.tok, s.acct, weekSince, weekUntil, 50)), s.syncRows(t))
}

// Starts, polls and result pages are retried like any call, and result
// pages shrink on "reduce the amount of data": the rows are still exact.
func TestReportRunsUnderFaultsYieldEveryRow(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 150, AsyncPolls: 3}, func(c *Config) {
		c.Backoff, c.MaxBackoff, c.MaxRetries = time.Millisecond, 2*time.Millisecond, 30
	})
	want := s.syncRows(t)
	s.sim.SetFaults(graphsim.Faults{TransientRate: 0.15, ThrottleRate: 0.1, TruncateRate: 0.05, ReduceDataAbove: 40, AsyncFailDays: 4})

	p := s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
	sameRows(t, readAll(t, p), want)
	failed := 0
	for _, status := range []string{"400", "500"} {
		for _, endpoint := range []string{"insights", "object"} {
			failed += int(testutil.ToFloat64(s.metricsVec().WithLabelValues(endpoint, status)))
		}
	}
	if failed == 0 || p.Splits() == 0 {
		t.Fatalf("%d failed attempts, %d splits: the faults were not met, the test proves nothing", failed, p.Splits())
	}
	t.Logf("%d runs, %d splits, %d failed attempts retried", p.Runs(), p.Splits(), failed)
}
