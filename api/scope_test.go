package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
)

const scopeQuery = "startDate=2026-10-29&endDate=2026-11-27"

// newScopeAPI is the API over a real store holding two synced brands,
// acme and beta, with keyA scoped to acme and keyB an admin key.
func newScopeAPI(t *testing.T) (*testAPI, *store.Store) {
	t.Helper()
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	for _, b := range []string{"acme", "beta"} {
		writeRange(context.Background(), t, st, store.Range{BrandID: b, StartDate: "2026-10-29", EndDate: "2026-11-27"}, 3, "job-"+b)
	}
	box, _ := tokenbox.New(tokenbox.NewKey())
	q := &fakeQueue{}
	app := api.New(api.Deps{Store: st, Queue: q, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Now: testNow,
		Tokens: box, Access: api.Access{Keys: []api.Key{{Secret: keyA, Brands: []string{"acme"}}, {Secret: keyB, Brands: []string{api.AllBrands}}}}})
	return &testAPI{app: app, queue: q}, st
}

type route struct{ Method, Path string }

// brandRoutes lists every route that names a brand, as the app serves them.
func brandRoutes(t *testing.T, a *testAPI) []route {
	var out []route
	seen := map[string]bool{}
	for _, r := range a.app.GetRoutes(true) {
		if r.Method == http.MethodHead || !strings.Contains(r.Path, ":brandId") || seen[r.Method+r.Path] {
			continue
		}
		seen[r.Method+r.Path] = true
		out = append(out, route{Method: r.Method, Path: r.Path})
	}
	if len(out) < 10 {
		t.Fatalf("only %d brand routes found: %v", len(out), out)
	}
	return out
}

func brandTarget(path, brand string) string {
	return strings.Replace(path, ":brandId", brand, 1) + "?" + scopeQuery
}

// A key scoped to acme cannot tell beta from a brand that does not exist:
// every route naming beta answers as for a missing brand, byte for byte.
func TestKeyScopedToABrand(t *testing.T) {
	a, st := newScopeAPI(t)
	for _, r := range brandRoutes(t, a) {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			body := ""
			if r.Method == http.MethodPost {
				body = `{"startDate":"2026-10-29","endDate":"2026-11-27"}`
			}
			other := a.send(t, r.Method, brandTarget(r.Path, "beta"), body, "Authorization: Bearer "+keyA)
			if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/api/brands/") {
				if other.status != http.StatusForbidden {
					t.Fatalf("status %d, want 403 (admin only); body %s", other.status, other.body)
				}
				return
			}
			missing := a.send(t, r.Method, brandTarget(r.Path, "ghost"), body, "Authorization: Bearer "+keyB)
			if other.status != http.StatusNotFound || other.status != missing.status || string(other.body) != string(missing.body) {
				t.Errorf("another brand: %d %s; a missing brand: %d %s; want the same 404", other.status, other.body, missing.status, missing.body)
			}
		})
	}
	if len(a.queue.reqs) != 0 {
		t.Errorf("out-of-scope requests queued %d syncs", len(a.queue.reqs))
	}
	// Its own brand reads normally; beta's data is untouched.
	got := a.send(t, http.MethodGet, brandTarget("/api/creatives/:brandId", "acme"), "", "Authorization: Bearer "+keyA)
	if got.status != http.StatusOK {
		t.Fatalf("own brand: status %d, body %s", got.status, got.body)
	}
	if n, err := st.CountCreatives(context.Background(), store.Range{BrandID: "beta", StartDate: "2026-10-29", EndDate: "2026-11-27"}, nil); err != nil || n != 3 {
		t.Errorf("beta holds %d creatives (%v), want its 3", n, err)
	}
}

// GET /api/brands lists only the key's brands; the registry's writes need
// an admin key.
func TestBrandRegistryScope(t *testing.T) {
	a, _ := newScopeAPI(t)
	list := func(key string) []string {
		r := a.send(t, http.MethodGet, "/api/brands", "", "X-API-Key: "+key)
		var body struct {
			Brands []struct{ BrandID string } `json:"brands"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil || r.status != http.StatusOK {
			t.Fatalf("GET /api/brands: %d %s", r.status, r.body)
		}
		var ids []string
		for _, b := range body.Brands {
			ids = append(ids, b.BrandID)
		}
		return ids
	}
	if got := list(keyA); strings.Join(got, ",") != "acme" {
		t.Errorf("scoped key lists %v, want [acme]", got)
	}
	if got := list(keyB); strings.Join(got, ",") != "acme,beta" {
		t.Errorf("admin key lists %v, want [acme beta]", got)
	}
	for _, req := range []struct{ method, target, body string }{
		{http.MethodPost, "/api/brands", registration("acme", "EAABtoken0123456789", "act_1")},
		{http.MethodDelete, "/api/brands/acme", ""},
	} {
		r := a.send(t, req.method, req.target, req.body, "X-API-Key: "+keyA)
		if r.status != http.StatusForbidden || decodeError(t, r.body).Error.Code != "forbidden" {
			t.Errorf("%s %s with a scoped key: %d %s; want 403 forbidden", req.method, req.target, r.status, r.body)
		}
	}
	if r := a.send(t, http.MethodDelete, "/api/brands/beta", "", "X-API-Key: "+keyB); r.status != http.StatusOK {
		t.Errorf("admin delete: %d %s", r.status, r.body)
	}
}
