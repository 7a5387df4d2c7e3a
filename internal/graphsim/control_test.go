package graphsim

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestControlEndpoints(t *testing.T) {
	h := newHarness(t, Options{Seed: 17, Ads: 30})
	h.get("/v21.0/"+h.acct+"/ads", nil)
	h.get("/v21.0/"+h.acct+"/insights", url.Values{"level": {"ad"}})
	h.get("/v21.0/"+h.acct+"/ads", url.Values{"access_token": {"bad"}})
	h.advance(90 * time.Minute)

	tests := []struct {
		name   string
		method string
		path   string
		check  func(t *testing.T, code int, body []byte)
	}{
		{"stats", "GET", "/_sim/stats", func(t *testing.T, code int, b []byte) {
			s := decode[stats](t, b)
			if s.Calls != 2 || s.ByEndpoint["act/ads"] != 1 || s.ByAccount[h.acct] != 2 || s.ErrorCodes["190"] != 1 {
				t.Fatalf("stats %s", b)
			}
		}},
		{"clock", "GET", "/_sim/clock", func(t *testing.T, code int, b []byte) {
			if got := decode[map[string]string](t, b)["now"]; got != "2026-11-28T01:30:00Z" {
				t.Fatalf("now %s", got)
			}
		}},
		{"clock backwards", "POST", "/_sim/clock?set=2026-11-27T00:00:00Z", func(t *testing.T, code int, b []byte) {
			if code != 400 {
				t.Fatalf("%d %s", code, b)
			}
		}},
		{"truth unknown brand", "GET", "/_sim/truth?brand_id=nope", func(t *testing.T, code int, b []byte) {
			if code != 404 {
				t.Fatalf("%d %s", code, b)
			}
		}},
		{"truth bad type", "GET", "/_sim/truth?creative_type=gif", func(t *testing.T, code int, b []byte) {
			if code != 400 {
				t.Fatalf("%d %s", code, b)
			}
		}},
		{"faults unknown knob", "PUT", "/_sim/faults", func(t *testing.T, code int, b []byte) {
			if code != 400 {
				t.Fatalf("%d %s", code, b)
			}
		}},
		{"reset", "POST", "/_sim/reset", func(t *testing.T, code int, b []byte) {
			if got := decode[map[string]string](t, b)["now"]; code != 200 || got != "2026-11-28T00:00:00Z" {
				t.Fatalf("%d %s", code, b)
			}
			_, _, sb := h.do("GET", h.srv.URL+"/_sim/stats", nil)
			if s := decode[stats](t, sb); s.Calls != 0 {
				t.Fatalf("stats after reset %s", sb)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body url.Values
			if tt.method == "PUT" {
				body = url.Values{"bogus": {"1"}}
			}
			code, _, b := h.do(tt.method, h.srv.URL+tt.path, body)
			tt.check(t, code, b)
		})
	}
}

// TestTruthByAccount checks that the truths of a brand's ad accounts add
// up to the brand's, and that another brand's account is refused.
func TestTruthByAccount(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Brands: 2, Accounts: 2, Ads: 60})
	const rng = "&since=2026-11-01&until=2026-11-27"
	truth := func(query string, wantCode int) Truth {
		t.Helper()
		code, _, b := h.do("GET", h.srv.URL+"/_sim/truth?brand_id=demo"+rng+query, nil)
		if code != wantCode {
			t.Fatalf("truth %s: %d %s, want %d", query, code, b, wantCode)
		}
		return decode[Truth](t, b)
	}
	brands := h.sim.Brands()
	all := truth("", 200)
	var ads, spend int64
	for _, acct := range brands[0].AdAccountIDs {
		one := truth("&account_id="+acct, 200)
		if one.TotalAds == 0 || one.TotalAds == all.TotalAds {
			t.Errorf("account %s has %d of the brand's %d ads: the filter does not split them", acct, one.TotalAds, all.TotalAds)
		}
		ads, spend = ads+one.TotalAds, spend+one.TotalSpendMicros
	}
	if ads != all.TotalAds || spend != all.TotalSpendMicros {
		t.Errorf("the accounts add up to %d ads, %d µ spend; the brand has %d, %d", ads, spend, all.TotalAds, all.TotalSpendMicros)
	}
	truth("&account_id="+brands[1].AdAccountIDs[0], 400)
}

// TestInsightsLevelsAndFilters checks account level equals the sum of ad
// rows, /{ad_id}/insights equals that ad's row, and filtering narrows rows.
func TestInsightsLevelsAndFilters(t *testing.T) {
	h := newHarness(t, Options{Seed: 18, Ads: 90, CallBudget: 1e9})
	rng := url.Values{"time_range": {`{"since":"2026-11-01","until":"2026-11-27"}`}, "fields": {"ad_id,spend,impressions,clicks"}, "limit": {"500"}}
	with := func(extra url.Values) url.Values {
		q := url.Values{}
		for k, v := range rng {
			q[k] = v
		}
		for k, v := range extra {
			q[k] = v
		}
		return q
	}
	ads, _ := h.pageAll("/v21.0/"+h.acct+"/insights", with(url.Values{"level": {"ad"}}))
	var spend, imp int64
	for _, r := range ads {
		spend += cents(t, r["spend"])
		imp += num(t, r["impressions"])
	}
	acct, _ := h.pageAll("/v21.0/"+h.acct+"/insights", with(nil))
	if len(acct) != 1 || cents(t, acct[0]["spend"]) != spend || num(t, acct[0]["impressions"]) != imp {
		t.Fatalf("account row %v, want spend %d impressions %d", acct, spend, imp)
	}
	for _, level := range []string{"adset", "campaign"} {
		rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", with(url.Values{"level": {level}, "limit": {"3"},
			"fields": {"adset_id,campaign_id,ad_id,spend,impressions"}}))
		var gs, gi int64
		for _, r := range rows {
			gs += cents(t, r["spend"])
			gi += num(t, r["impressions"])
			if r["ad_id"] != nil || (level == "campaign") != (r["adset_id"] == nil) {
				t.Fatalf("level %s row has the wrong ids: %v", level, r)
			}
		}
		if gs != spend || gi != imp || len(rows) < 2 {
			t.Fatalf("level %s: %d rows, spend %d impressions %d, want %d %d", level, len(rows), gs, gi, spend, imp)
		}
	}
	one, _ := h.pageAll("/v21.0/"+ads[3]["ad_id"].(string)+"/insights", with(nil))
	if len(one) != 1 || one[0]["spend"] != ads[3]["spend"] {
		t.Fatalf("ad insights %v, want %v", one, ads[3])
	}
	tests := []struct {
		name   string
		filter string
		keep   func(r map[string]any) bool
	}{
		{"spend over 50", `[{"field":"spend","operator":"GREATER_THAN","value":50}]`, func(r map[string]any) bool { return cents(t, r["spend"]) > 5000 }},
		{"ad id in", `[{"field":"ad.id","operator":"IN","value":["` + ads[0]["ad_id"].(string) + `","` + ads[5]["ad_id"].(string) + `"]}]`,
			func(r map[string]any) bool { return r["ad_id"] == ads[0]["ad_id"] || r["ad_id"] == ads[5]["ad_id"] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := h.pageAll("/v21.0/"+h.acct+"/insights", with(url.Values{"level": {"ad"}, "filtering": {tt.filter}}))
			want := 0
			for _, r := range ads {
				if tt.keep(r) {
					want++
				}
			}
			if len(got) != want || want == 0 || want == len(ads) {
				t.Fatalf("%d rows, want %d of %d", len(got), want, len(ads))
			}
		})
	}
	code, _, b := h.do(http.MethodGet, h.srv.URL+"/v21.0/"+h.acct+"/insights?access_token="+h.token+"&filtering="+url.QueryEscape(`[{"field":"bogus","operator":"EQUAL","value":1}]`), nil)
	if e := decode[graphErr](t, b); code != 400 || e.Error.Code != 100 {
		t.Fatalf("bad filter: %d %s", code, b)
	}
}

// TestConcurrentClients pages several edges from many goroutines while the
// clock moves and faults change, for the race detector.
func TestConcurrentClients(t *testing.T) {
	h := newHarness(t, Options{Seed: 19, Ads: 200, CallBudget: 1e9})
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			path := "/v21.0/" + h.acct + []string{"/ads", "/insights"}[i%2]
			q := url.Values{"access_token": {h.token}, "limit": {"40"}, "level": {"ad"}}
			resp, err := http.Get(h.srv.URL + path + "?" + q.Encode())
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
	}
	h.advance(time.Hour)
	h.setFaults(Faults{LatencyMs: 1})
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
