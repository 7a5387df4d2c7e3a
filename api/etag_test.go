package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

var bigRange = store.Range{BrandID: "acme", StartDate: "2026-10-29", EndDate: "2026-11-27"}

const bigQuery = "startDate=2026-10-29&endDate=2026-11-27"

// newBigAPI is the API over a real store holding a synced range of 500 ads.
func newBigAPI(t *testing.T) (*testAPI, *store.Store) {
	t.Helper()
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	writeRange(context.Background(), t, st, bigRange, 500, "job-big")
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Now: testNow})
	return &testAPI{app: app}, st
}

func decode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("unexpected Content-Encoding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", coding, err)
	}
	return out
}

// A 500-row page travels compressed in the coding the client asks for, and
// decodes to the same creatives.
func TestListIsCompressed(t *testing.T) {
	a, _ := newBigAPI(t)
	target := "/api/creatives/acme?" + bigQuery + "&limit=500"
	plain := a.send(t, http.MethodGet, target, "")
	if plain.status != http.StatusOK || plain.header.Get("Content-Encoding") != "" {
		t.Fatalf("no Accept-Encoding: %d, Content-Encoding %q", plain.status, plain.header.Get("Content-Encoding"))
	}
	for _, tt := range []struct{ accept, want string }{{"gzip", "gzip"}, {"gzip, deflate, br", "br"}} {
		r := a.send(t, http.MethodGet, target, "", "Accept-Encoding: "+tt.accept)
		if got := r.header.Get("Content-Encoding"); got != tt.want {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Vary %q lacks Accept-Encoding", r.header.Get("Vary"))
		}
		var page struct {
			Creatives []map[string]any `json:"creatives"`
		}
		if err := json.Unmarshal(decode(t, tt.want, r.body), &page); err != nil || len(page.Creatives) != 500 {
			t.Fatalf("%s body: %d creatives, %v", tt.want, len(page.Creatives), err)
		}
		if len(r.body)*4 > len(plain.body) {
			t.Errorf("%s: %d bytes of %d: less than fourfold", tt.want, len(r.body), len(plain.body))
		}
		t.Logf("500-row page: %d bytes, %s %d bytes", len(plain.body), tt.want, len(r.body))
	}
}

// A repeated read with its ETag gets 304 and no body, until the data
// changes; reads must be revalidated, errors never kept.
func TestReadsRevalidate(t *testing.T) {
	a, st := newBigAPI(t)
	for _, target := range []string{
		"/api/creatives/acme?" + bigQuery + "&limit=50",
		"/api/creatives/acme/aggregations?" + bigQuery,
		"/api/creatives/sync/status/acme?" + bigQuery,
		"/api/brands",
	} {
		for _, accept := range []string{"", "gzip", "br"} {
			first := a.send(t, http.MethodGet, target, "", "Accept-Encoding: "+accept)
			tag := first.header.Get("ETag")
			if first.status != http.StatusOK || !strings.HasPrefix(tag, `"`) || first.header.Get("Cache-Control") != "private, no-cache" {
				t.Fatalf("GET %s (%q): %d, ETag %q, Cache-Control %q", target, accept, first.status, tag, first.header.Get("Cache-Control"))
			}
			again := a.send(t, http.MethodGet, target, "", "Accept-Encoding: "+accept, "If-None-Match: "+tag)
			if again.status != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != tag {
				t.Errorf("GET %s (%q) with its ETag: %d, %d bytes, ETag %q; want 304, empty, %s", target, accept, again.status, len(again.body), again.header.Get("ETag"), tag)
			}
			if other := a.send(t, http.MethodGet, target, "", "Accept-Encoding: "+accept, `If-None-Match: "stale"`); other.status != http.StatusOK {
				t.Errorf("GET %s with a stale ETag: %d, want 200", target, other.status)
			}
		}
	}

	// A sync that changes the range changes the answer, so the old tag no longer matches.
	target := "/api/creatives/acme/aggregations?" + bigQuery
	before := a.send(t, http.MethodGet, target, "").header.Get("ETag")
	at := time.Now().UTC().Add(time.Second).Truncate(time.Millisecond)
	if err := st.InsertInsights(context.Background(), []*schemas.AdInsight{{BrandID: "acme", AdAccountID: "act_1", AdID: "ad000",
		StartDate: bigRange.StartDate, EndDate: bigRange.EndDate, CreativeType: schemas.CreativeImage, AdEffectiveStatus: "ACTIVE",
		SpendMicros: 99_000_000, Impressions: 1000, Clicks: 10, FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(context.Background(), bigRange, "job-big"); err != nil {
		t.Fatal(err)
	}
	if r := a.send(t, http.MethodGet, target, "", "If-None-Match: "+before); r.status != http.StatusOK || r.header.Get("ETag") == before {
		t.Errorf("after a change: %d, ETag %q (was %q); want 200 and a new tag", r.status, r.header.Get("ETag"), before)
	}

	bad := a.send(t, http.MethodGet, "/api/creatives/acme?startDate=nope&endDate=2026-11-27", "")
	if bad.status != http.StatusBadRequest || bad.header.Get("Cache-Control") != "no-store" || bad.header.Get("ETag") != "" {
		t.Errorf("an error: %d, Cache-Control %q, ETag %q; want 400, no-store, none", bad.status, bad.header.Get("Cache-Control"), bad.header.Get("ETag"))
	}
}

// The progress stream is never compressed: an event must leave when written.
func TestProgressStreamIsNotCompressed(t *testing.T) {
	a, _ := newBigAPI(t)
	r := a.send(t, http.MethodGet, "/api/creatives/sync/events/acme?"+bigQuery, "", "Accept-Encoding: gzip, br")
	if r.status != http.StatusOK || r.header.Get("Content-Encoding") != "" || r.header.Get("ETag") != "" ||
		!strings.HasPrefix(string(r.body), "event: progress\n") {
		t.Fatalf("stream: %d, Content-Encoding %q, ETag %q, body %q", r.status, r.header.Get("Content-Encoding"), r.header.Get("ETag"), r.body)
	}
}
