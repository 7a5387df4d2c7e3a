package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/tokenbox"
)

// The plain fakeStore answers the registry's writes with an error;
// registryStore overrides them.
func (f *fakeStore) PutBrand(context.Context, store.Brand) error       { return errNotFaked }
func (f *fakeStore) ListBrands(context.Context) ([]store.Brand, error) { return nil, errNotFaked }
func (f *fakeStore) DeleteBrand(context.Context, string) error         { return errNotFaked }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cloneBrand(b store.Brand) store.Brand {
	b.AdAccountIDs = slices.Clone(b.AdAccountIDs)
	return b
}

func newRegistryStore() *registryStore {
	return &registryStore{fakeStore: newFakeStore(), brands: map[string]store.Brand{}}
}

// registryStore is an in-memory brand registry behaving like the real one:
// the newest registration wins, a deleted brand is gone from every read.
type registryStore struct {
	*fakeStore
	mu     sync.Mutex
	brands map[string]store.Brand
	putErr error
}

// putErrOnce makes the next PutBrand fail with err.
func (f *registryStore) putErrOnce(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putErr = err
}

func (f *registryStore) brand(id string) (store.Brand, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.brands[id]
	return cloneBrand(b), ok
}

func (f *registryStore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.brands)
}

func (f *registryStore) put(b store.Brand) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.brands[b.BrandID] = cloneBrand(b)
}

func (f *registryStore) GetBrand(_ context.Context, id string) (store.Brand, error) {
	if b, ok := f.brand(id); ok {
		return b, nil
	}
	return store.Brand{}, store.ErrNotFound
}

func (f *registryStore) PutBrand(_ context.Context, b store.Brand) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.putErr != nil {
		err := f.putErr
		f.putErr = nil
		return err
	}
	f.brands[b.BrandID] = cloneBrand(b)
	return nil
}

func (f *registryStore) ListBrands(context.Context) ([]store.Brand, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []store.Brand{}
	for _, b := range f.brands {
		b.TokenCiphertext = "" // as the real store: lists carry no tokens
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b store.Brand) int { return strings.Compare(a.BrandID, b.BrandID) })
	return out, nil
}

func (f *registryStore) DeleteBrand(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.brands[id]; !ok {
		return store.ErrNotFound
	}
	delete(f.brands, id)
	return nil
}

// brandEnv is the API over a registryStore, with graphsim behind its Graph
// client (two brands, two accounts each) unless built without a Graph API.
type brandEnv struct {
	app   *testAPI
	store *registryStore
	box   *tokenbox.Box
	sim   *graphsim.Server
	reg   *prometheus.Registry
	demo  graphsim.Brand // graphsim's first brand
	other graphsim.Brand // its second
}

func newBrandEnv(t *testing.T, withGraph bool) *brandEnv {
	t.Helper()
	sim, err := graphsim.New(graphsim.Options{Seed: 3, Brands: 2, Accounts: 2, Ads: 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	box, err := tokenbox.New(tokenbox.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st := newRegistryStore()
	reg := prometheus.NewRegistry()
	deps := api.Deps{Store: st, Queue: &fakeQueue{}, Log: log, Registry: reg, Tokens: box}
	if withGraph {
		gc, err := graph.New(graph.Config{BaseURL: srv.URL, MaxRetries: -1, Logger: log, Observer: graph.NewMetrics(reg, graph.MetricsOptions{})})
		if err != nil {
			t.Fatal(err)
		}
		deps.Graph = gc
	}
	brands := sim.Brands()
	slices.SortFunc(brands, func(a, b graphsim.Brand) int { return strings.Compare(a.BrandID, b.BrandID) })
	// "brand-2" sorts before "demo".
	return &brandEnv{app: &testAPI{app: api.New(deps), store: st.fakeStore, logs: logs}, store: st, box: box, sim: sim, reg: reg,
		demo: brands[1], other: brands[0]}
}

func registration(brand, token string, accounts ...string) string {
	return mustJSON(map[string]any{"brandId": brand, "name": "Acme", "accessToken": token, "adAccountIds": accounts})
}

func digits(act string) string { return strings.TrimPrefix(act, "act_") }

func TestRegisterBrandRejectsBadInput(t *testing.T) {
	e := newBrandEnv(t, false)
	const tok = "EAAB-valid-looking-t0ken"
	tests := []struct {
		name      string
		give      string
		wantField string
	}{
		{"not JSON", `{"brandId":"acme","accessToken":"EAAB-t0ken`, "body"},
		{"unknown field", `{"brandId":"acme","accesToken":"x"}`, "body"},
		{"bad brand id", registration("-acme", tok, "act_1"), "brandId"},
		{"brand id too long", registration(strings.Repeat("a", 129), tok, "act_1"), "brandId"},
		{"no token", registration("acme", "", "act_1"), "accessToken"},
		{"token with a space", registration("acme", "EAAB t0ken", "act_1"), "accessToken"},
		{"token too long", registration("acme", strings.Repeat("t", 4097), "act_1"), "accessToken"},
		{"bad account id", registration("acme", tok, "act_1", "acct_2"), "adAccountIds"},
		{"account id with letters", registration("acme", tok, "12a"), "adAccountIds"},
		{"no accounts and no Graph API to list them", registration("acme", tok), "adAccountIds"},
		{"control character in name", `{"brandId":"acme","name":"a\u0007b","accessToken":"t","adAccountIds":["1"]}`, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.app.do(t, http.MethodPost, "/api/brands", tt.give)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", status, body)
			}
			if got := decodeError(t, body).Error.Field; got != tt.wantField {
				t.Errorf("field = %q, want %q; body %s", got, tt.wantField, body)
			}
			if strings.Contains(string(body), "t0ken") {
				t.Errorf("the error echoes the token: %s", body)
			}
			if n := e.store.count(); n != 0 {
				t.Errorf("%d brands stored after a rejected registration", n)
			}
		})
	}
}

func TestRegisterBrandChecksTheGraphAPI(t *testing.T) {
	e := newBrandEnv(t, true)
	acct1, acct2 := e.demo.AdAccountIDs[0], e.demo.AdAccountIDs[1]
	tests := []struct {
		name         string
		faults       graphsim.Faults
		give         string
		wantStatus   int
		wantField    string   // on 400
		wantInMsg    string   // on 400
		wantAccounts []string // on success
	}{
		{name: "given accounts, normalised and deduplicated", give: registration("acme", e.demo.AccessToken, digits(acct2), acct1, acct2),
			wantStatus: http.StatusCreated, wantAccounts: []string{acct2, acct1}},
		{name: "no accounts: the token's own", give: registration("acme", e.demo.AccessToken),
			wantStatus: http.StatusCreated, wantAccounts: e.demo.AdAccountIDs},
		{name: "unknown token", give: registration("acme", "EAAB-not-a-real-token", acct1),
			wantStatus: http.StatusBadRequest, wantField: "accessToken"},
		{name: "unknown token, no accounts", give: registration("acme", "EAAB-not-a-real-token"),
			wantStatus: http.StatusBadRequest, wantField: "accessToken"},
		{name: "expired token", faults: graphsim.Faults{ExpireToken: true}, give: registration("acme", e.demo.AccessToken, acct1),
			wantStatus: http.StatusBadRequest, wantField: "accessToken", wantInMsg: "expired"},
		{name: "another brand's account", give: registration("acme", e.demo.AccessToken, acct1, e.other.AdAccountIDs[0]),
			wantStatus: http.StatusBadRequest, wantField: "adAccountIds", wantInMsg: e.other.AdAccountIDs[0]},
		{name: "account without permission", faults: graphsim.Faults{PermissionDenied: []string{acct2}}, give: registration("acme", e.demo.AccessToken, acct1, acct2),
			wantStatus: http.StatusBadRequest, wantField: "adAccountIds", wantInMsg: acct2},
		{name: "account that does not exist", give: registration("acme", e.demo.AccessToken, "act_999999999"),
			wantStatus: http.StatusBadRequest, wantField: "adAccountIds", wantInMsg: "act_999999999"},
		{name: "Graph API down", faults: graphsim.Faults{TransientRate: 1}, give: registration("acme", e.demo.AccessToken, acct1),
			wantStatus: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sim.SetFaults(tt.faults)
			defer e.sim.SetFaults(graphsim.Faults{})
			defer e.store.DeleteBrand(context.Background(), "acme")
			status, body := e.app.do(t, http.MethodPost, "/api/brands", tt.give)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", status, tt.wantStatus, body)
			}
			if tt.wantStatus >= 400 {
				er := decodeError(t, body)
				if er.Error.Field != tt.wantField || !strings.Contains(er.Error.Message, tt.wantInMsg) {
					t.Errorf("error = %+v, want field %q and %q in the message", er.Error, tt.wantField, tt.wantInMsg)
				}
				if _, ok := e.store.brand("acme"); ok {
					t.Error("a brand that failed the check was stored")
				}
				return
			}
			var resp struct {
				Success, Created, Verified bool
				Brand                      api.BrandJSON
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatal(err)
			}
			if !resp.Success || !resp.Verified || !slices.Equal(resp.Brand.AdAccountIDs, tt.wantAccounts) {
				t.Errorf("response = %+v, want verified with accounts %v", resp, tt.wantAccounts)
			}
			b, _ := e.store.brand("acme")
			if !slices.Equal(b.AdAccountIDs, tt.wantAccounts) {
				t.Errorf("stored accounts = %v, want %v", b.AdAccountIDs, tt.wantAccounts)
			}
			if plain, err := e.box.Open(b.TokenCiphertext); err != nil || plain != e.demo.AccessToken {
				t.Errorf("stored token does not open to the registered one: %v", err)
			}
		})
	}
}

func TestBrandRegistryRoundTrip(t *testing.T) {
	e := newBrandEnv(t, false)
	before := time.Now().UTC().Truncate(time.Second)
	first := e.app.doJSON(t, http.MethodPost, "/api/brands", registration("acme", "EAAB-first", "act_1", "2"), http.StatusCreated)
	if first["created"] != true || first["verified"] != false {
		t.Errorf("first registration: %v, want created and not verified", first)
	}
	again := e.app.doJSON(t, http.MethodPost, "/api/brands",
		mustJSON(map[string]any{"brandId": "acme", "accessToken": "EAAB-second", "adAccountIds": []string{"act_3"}}), http.StatusOK)
	if again["created"] != false {
		t.Errorf("second registration: %v, want created false", again)
	}
	e.store.put(store.Brand{BrandID: "zeta", Name: "Z", TokenCiphertext: e.box.Seal("EAAB-z"), AdAccountIDs: []string{"act_9"}, UpdatedAt: before})

	got := e.app.doJSON(t, http.MethodGet, "/api/brands/acme", "", http.StatusOK)
	var one struct{ Brand api.BrandJSON }
	if err := json.Unmarshal([]byte(mustJSON(got)), &one); err != nil {
		t.Fatal(err)
	}
	if one.Brand.BrandID != "acme" || one.Brand.Name != "acme" || !slices.Equal(one.Brand.AdAccountIDs, []string{"act_3"}) || one.Brand.UpdatedAt.Before(before) {
		t.Errorf("GET acme = %+v; want the second registration (name defaults to the id)", one.Brand)
	}
	stored, _ := e.store.brand("acme")
	if plain, _ := e.box.Open(stored.TokenCiphertext); plain != "EAAB-second" {
		t.Errorf("stored token is not the second one")
	}

	list := e.app.doJSON(t, http.MethodGet, "/api/brands", "", http.StatusOK)
	if fmt.Sprint(list["total"]) != "2" || len(list["brands"].([]any)) != 2 {
		t.Errorf("list = %v, want acme and zeta", list)
	}

	e.app.doJSON(t, http.MethodDelete, "/api/brands/acme", "", http.StatusOK)
	tests := []struct {
		method, target string
		want           int
	}{
		{http.MethodGet, "/api/brands/acme", http.StatusNotFound},
		{http.MethodDelete, "/api/brands/acme", http.StatusNotFound},
		{http.MethodGet, "/api/brands/zeta", http.StatusOK},
		{http.MethodGet, "/api/brands/bad%20id", http.StatusBadRequest},
		{http.MethodDelete, "/api/brands/bad%20id", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if status, body := e.app.do(t, tt.method, tt.target, ""); status != tt.want {
			t.Errorf("%s %s after the delete: %d, want %d; %s", tt.method, tt.target, status, tt.want, body)
		}
	}
	if list := e.app.doJSON(t, http.MethodGet, "/api/brands", "", http.StatusOK); fmt.Sprint(list["total"]) != "1" {
		t.Errorf("list after delete = %v, want only zeta", list)
	}
}

func TestRegisterBrandWithoutTokenKey(t *testing.T) {
	st := newRegistryStore()
	app := &testAPI{app: api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})}
	status, body := app.do(t, http.MethodPost, "/api/brands", registration("acme", "EAAB-t0ken", "act_1"))
	if status != http.StatusServiceUnavailable || !strings.Contains(decodeError(t, body).Error.Message, "ADSTREAM_TOKEN_KEY") {
		t.Fatalf("status %d %s, want 503 naming ADSTREAM_TOKEN_KEY", status, body)
	}
	if st.count() != 0 {
		t.Fatal("a brand was stored without a key to seal its token")
	}
}

// The token must not reach any response, header, log line or metric, on
// success or on any failure path.
func TestBrandTokenNeverLeaks(t *testing.T) {
	e := newBrandEnv(t, true)
	tok := e.demo.AccessToken
	var seen bytes.Buffer
	call := func(method, target, body string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.app.app.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&seen, "%s %s -> %d %v %s\n", method, target, resp.StatusCode, resp.Header, b)
	}
	call(http.MethodPost, "/api/brands", registration("acme", tok, e.demo.AdAccountIDs...))
	call(http.MethodPost, "/api/brands", registration("acme", tok))
	call(http.MethodPost, "/api/brands", registration("acme", tok, e.other.AdAccountIDs[0]))           // permission error
	call(http.MethodPost, "/api/brands", `{"brandId":"acme","accessToken":"`+tok+`","adAccountIds":[`) // bad JSON
	call(http.MethodPost, "/api/brands", registration("acme", tok+" x", "act_1"))                      // bad token
	e.store.putErrOnce(errors.New("clickhouse down"))
	call(http.MethodPost, "/api/brands", registration("acme", tok, e.demo.AdAccountIDs[0])) // store failure: logged as 500
	e.sim.SetFaults(graphsim.Faults{ExpireToken: true})
	call(http.MethodPost, "/api/brands", registration("acme", tok, e.demo.AdAccountIDs[0]))
	e.sim.SetFaults(graphsim.Faults{TransientRate: 1})
	call(http.MethodPost, "/api/brands", registration("acme", tok, e.demo.AdAccountIDs[0])) // Graph down: logged
	e.sim.SetFaults(graphsim.Faults{})
	call(http.MethodGet, "/api/brands/acme", "")
	call(http.MethodGet, "/api/brands", "")
	call(http.MethodGet, "/metrics", "")
	call(http.MethodDelete, "/api/brands/acme", "")

	if !strings.Contains(seen.String(), `"brandId":"acme"`) || !strings.Contains(seen.String(), "adstream_http_requests_total") {
		t.Fatalf("the calls did not happen as planned:\n%s", seen.String())
	}
	if !strings.Contains(e.app.logs.String(), "brand registered") || !strings.Contains(e.app.logs.String(), "clickhouse down") {
		t.Fatalf("the logs lack the registration or the store failure:\n%s", e.app.logs.String())
	}
	for what, text := range map[string]string{"responses": seen.String(), "logs": e.app.logs.String()} {
		if strings.Contains(text, tok) {
			t.Errorf("the token appears in the %s:\n%s", what, text)
		}
	}
}
