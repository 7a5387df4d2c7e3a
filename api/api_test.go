package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// fakeStore is an in-memory api.Store that records every call. Strings are
// cloned on the way in: Fiber hands out views of buffers it reuses.
type fakeStore struct {
	mu sync.Mutex

	brands   map[string]bool
	count    int64
	rows     []store.Creative
	job      *store.SyncJob // what LatestJob returns; nil → ErrNotFound
	countErr error
	listErr  error
	pingErr  error

	calls   []string // method names, in call order
	counted []countCall
	listed  []store.ListQuery
	queued  []queuedCall
}

type countCall struct {
	Range   store.Range
	Filters map[string]string
}

type queuedCall struct {
	Range store.Range
	JobID string
	Kind  schemas.SyncKind
}

func newFakeStore(brands ...string) *fakeStore {
	f := &fakeStore{brands: map[string]bool{}}
	for _, b := range brands {
		f.brands[b] = true
	}
	return f
}

func cloneRange(r store.Range) store.Range {
	return store.Range{BrandID: strings.Clone(r.BrandID), StartDate: strings.Clone(r.StartDate), EndDate: strings.Clone(r.EndDate)}
}

// cloneFilters copies filters; no filters at all is nil, however it came.
func cloneFilters(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.Clone(k)] = strings.Clone(v)
	}
	return out
}

func (f *fakeStore) called(name string) {
	f.calls = append(f.calls, name)
}

func (f *fakeStore) GetBrand(_ context.Context, brandID string) (store.Brand, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("GetBrand")
	if !f.brands[brandID] {
		return store.Brand{}, store.ErrNotFound
	}
	return store.Brand{BrandID: strings.Clone(brandID), Name: "Brand"}, nil
}

func (f *fakeStore) CountCreatives(_ context.Context, r store.Range, filters map[string]string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("CountCreatives")
	f.counted = append(f.counted, countCall{Range: cloneRange(r), Filters: cloneFilters(filters)})
	return f.count, f.countErr
}

func (f *fakeStore) ListCreatives(_ context.Context, q store.ListQuery) ([]store.Creative, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("ListCreatives")
	q.Range = cloneRange(q.Range)
	q.Filters = cloneFilters(q.Filters)
	q.SortBy = strings.Clone(q.SortBy)
	f.listed = append(f.listed, q)
	return f.rows, f.listErr
}

func (f *fakeStore) LatestJob(_ context.Context, _ store.Range) (store.SyncJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("LatestJob")
	if f.job == nil {
		return store.SyncJob{}, store.ErrNotFound
	}
	return *f.job, nil
}

// RecordQueued behaves like the real store: the queued job becomes the
// range's latest job, pending.
func (f *fakeStore) RecordQueued(_ context.Context, r store.Range, jobID string, kind schemas.SyncKind, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("RecordQueued")
	f.queued = append(f.queued, queuedCall{Range: cloneRange(r), JobID: strings.Clone(jobID), Kind: kind})
	f.job = &store.SyncJob{JobID: strings.Clone(jobID), Kind: string(kind), Status: store.StatusPending, CreatedAt: at, UpdatedAt: at}
	return nil
}

func (f *fakeStore) Ping(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("Ping")
	return f.pingErr
}

// fakeQueue records every request it is asked to publish.
type fakeQueue struct {
	mu   sync.Mutex
	reqs []schemas.SyncRequest
	err  error
}

func (q *fakeQueue) Enqueue(_ context.Context, req *schemas.SyncRequest) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	r := *req
	r.JobID, r.BrandID, r.StartDate, r.EndDate = strings.Clone(r.JobID), strings.Clone(r.BrandID), strings.Clone(r.StartDate), strings.Clone(r.EndDate)
	q.reqs = append(q.reqs, r)
	return nil
}

// testNow is the clock of every API test, so that the days a request may
// name stay put: from 2023-11-01 (37 months back) to 2026-12-02.
func testNow() time.Time { return time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC) }

type testAPI struct {
	app   *fiber.App
	store *fakeStore
	queue *fakeQueue
	logs  *bytes.Buffer
}

func newTestAPI(t *testing.T, st *fakeStore) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	q := &fakeQueue{}
	app := api.New(api.Deps{
		Store:    st,
		Queue:    q,
		Log:      slog.New(slog.NewTextHandler(logs, nil)),
		Registry: prometheus.NewRegistry(),
		Now:      testNow,
	})
	return &testAPI{app: app, store: st, queue: q, logs: logs}
}

// do sends one request and returns the status and the raw body.
func (a *testAPI) do(t *testing.T, method, target, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.app.Test(req, 5000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	return resp.StatusCode, b
}

// doJSON sends one request, checks the status and decodes the JSON body.
func (a *testAPI) doJSON(t *testing.T, method, target, body string, wantStatus int) map[string]any {
	t.Helper()
	status, b := a.do(t, method, target, body)
	if status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, target, status, wantStatus, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", method, target, err, b)
	}
	return out
}

// apiError is the error shape every failed request gets.
type apiError struct {
	Success *bool `json:"success"`
	Error   struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func decodeError(t *testing.T, b []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, b)
	}
	if e.Success == nil || *e.Success {
		t.Errorf("error body success = %v, want false: %s", e.Success, b)
	}
	if e.Error.Message == "" {
		t.Errorf("error body has no message: %s", b)
	}
	return e
}
