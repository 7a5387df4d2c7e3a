package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// Registering a brand warms its default ranges (the last 7 and 30 days,
// ending yesterday); POST /presync warms them again, skipping what runs or
// is fresh.
func TestRegisteringABrandPresyncsItsDefaultRanges(t *testing.T) {
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	box, _ := tokenbox.New(tokenbox.NewKey())
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Tokens: box,
		Presync: api.Presync{Days: []int{7, 30}, FreshFor: 6 * time.Hour}})
	a := &testAPI{app: app, queue: q}

	got := a.doJSON(t, http.MethodPost, "/api/brands", registration("acme", "EAABtoken0123456789", "act_1"), http.StatusCreated)
	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	want := []store.Range{
		{BrandID: "acme", StartDate: yesterday.AddDate(0, 0, -6).Format(time.DateOnly), EndDate: yesterday.Format(time.DateOnly)},
		{BrandID: "acme", StartDate: yesterday.AddDate(0, 0, -29).Format(time.DateOnly), EndDate: yesterday.Format(time.DateOnly)},
	}
	ranges, _ := got["presync"].([]any)
	if len(ranges) != 2 || len(q.reqs) != 2 {
		t.Fatalf("presync %v with %d requests queued; want the 2 default ranges", got["presync"], len(q.reqs))
	}
	for i, r := range q.reqs {
		if r.BrandID != "acme" || r.StartDate != want[i].StartDate || r.EndDate != want[i].EndDate || r.Kind != schemas.SyncKindFull {
			t.Errorf("request %d = %+v, want a FULL sync of %+v", i, r, want[i])
		}
	}

	// The 7-day range completes; the 30-day one is still pending.
	done := q.reqs[0]
	if err := st.InsertSyncEvents(context.Background(), []*schemas.SyncEvent{{JobID: done.JobID, BrandID: "acme",
		StartDate: done.StartDate, EndDate: done.EndDate, Type: schemas.SyncCompleted, At: time.Now(), Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	// The consumers stored its records and rebuilt the range for it.
	if _, err := st.RebuildAggregations(context.Background(), store.Range{BrandID: "acme", StartDate: done.StartDate, EndDate: done.EndDate}, done.JobID); err != nil {
		t.Fatal(err)
	}
	again := a.doJSON(t, http.MethodPost, "/api/brands/acme/presync", "", http.StatusOK)
	rs, _ := again["ranges"].([]any)
	if len(rs) != 2 || len(q.reqs) != 2 {
		t.Fatalf("second presync %v, %d requests; want nothing new queued", again, len(q.reqs))
	}
	if first := rs[0].(map[string]any); first["fresh"] != true || first["queued"] != false {
		t.Errorf("7-day range %v; want fresh, not queued", first)
	}
	if second := rs[1].(map[string]any); second["queued"] != false || second["jobId"] != q.reqs[1].JobID {
		t.Errorf("30-day range %v; want its pending job %s, not queued again", second, q.reqs[1].JobID)
	}
	a.doJSON(t, http.MethodPost, "/api/brands/nobody/presync", "", http.StatusNotFound)
}
