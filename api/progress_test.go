package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
)

// jobSequence is a store whose latest job moves through states, one per read.
type jobSequence struct {
	*fakeStore
	mu     sync.Mutex
	states []store.SyncJob
	reads  int
}

func (j *jobSequence) LatestJob(context.Context, store.Range) (store.SyncJob, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.states[min(j.reads, len(j.states)-1)]
	j.reads++
	return s, nil
}

// The progress stream sends one event per change of the job and ends with
// the job; repeated reads of an unchanged state send nothing.
func TestSyncEventsStreamsProgressUntilTheJobEnds(t *testing.T) {
	job := func(status string, done int64) store.SyncJob {
		return store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: status, TotalAds: done, PublishedAds: done}
	}
	st := &jobSequence{fakeStore: newFakeStore("demo"), states: []store.SyncJob{
		job("pending", 0), // read by the handler before the stream starts
		job("pending", 0), job("processing", 500), job("processing", 500), job("processing", 900), job("completed", 1200),
	}}
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(), ProgressPoll: time.Millisecond, Now: testNow})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/api/creatives/sync/events/demo?startDate=2026-11-01&endDate=2026-11-30", nil), 5000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type = %q", ct)
	}
	body, _ := io.ReadAll(resp.Body)
	var statuses []string
	for _, ev := range strings.Split(strings.TrimSpace(string(body)), "\n\n") {
		if !strings.HasPrefix(ev, "event: progress\ndata: {") {
			t.Fatalf("not a progress event: %q", ev)
		}
		for _, s := range []string{"pending", "processing", "completed"} {
			if strings.Contains(ev, `"status":"`+s+`"`) {
				statuses = append(statuses, s)
			}
		}
	}
	want := "pending processing processing completed"
	if got := strings.Join(statuses, " "); got != want {
		t.Fatalf("events %q, want %q:\n%s", got, want, body)
	}
	if !bytes.Contains(body, []byte(`"percentage":100`)) || bytes.Contains(body[:bytes.LastIndex(body, []byte("event:"))], []byte(`"percentage":100`)) {
		t.Fatalf("only the completed event may say 100%%:\n%s", body)
	}
}

func TestSyncEventsWithoutJobIs404(t *testing.T) {
	a := newTestAPI(t, newFakeStore("demo"))
	status, b := a.do(t, "GET", "/api/creatives/sync/events/demo?startDate=2026-11-01&endDate=2026-11-30", "")
	if status != http.StatusNotFound || !strings.Contains(string(b), "not_found") {
		t.Fatalf("status %d body %s, want a 404 JSON error", status, b)
	}
}

// A server shutting down ends the streams it serves instead of waiting out
// their jobs.
func TestSyncEventsEndWhenTheServerShutsDown(t *testing.T) {
	st := newFakeStore("demo")
	st.job = &store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: store.StatusProcessing, TotalAds: 10, PublishedAds: 1,
		UpdatedAt: time.Now()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- api.Run(ctx, api.Config{Addr: addr}, api.Deps{Store: st, Queue: &fakeQueue{},
			Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), ProgressPoll: 10 * time.Millisecond})
	}()
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get("http://" + addr + "/api/creatives/sync/events/demo?startDate=2026-11-01&endDate=2026-11-30"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 64)
	if _, err := resp.Body.Read(first); err != nil {
		t.Fatalf("no first event: %v", err)
	}
	began := time.Now()
	cancel()
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Logf("stream ended with %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not stop within 5 s with a progress stream open")
	}
	t.Logf("stream and server ended %s after shutdown began", time.Since(began).Round(time.Millisecond))
}
