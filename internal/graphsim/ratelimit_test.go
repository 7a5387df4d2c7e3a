package graphsim

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

type bucUsage map[string][]struct {
	Type   string `json:"type"`
	Calls  int    `json:"call_count"`
	Regain int    `json:"estimated_time_to_regain_access"`
}

// TestThrottlingAndRecovery drives an account past its budget, checks the
// real throttling error and headers, then advances the clock by the
// advertised time and expects service again.
func TestThrottlingAndRecovery(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		params      url.Values
		wantCode    int
		wantSubcode int
		usageType   string
	}{
		{"ads_management", "/ads", url.Values{"limit": {"5"}}, 17, 2446079, "ads_management"},
		{"ads_insights", "/insights", url.Values{"level": {"ad"}, "limit": {"5"}}, 80004, 2446079, "ads_insights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 2, Ads: 20, CallBudget: 10, UsageWindow: 10 * time.Minute})
			path := "/v21.0/" + h.acct + tt.path
			var calls int
			for ; calls < 50; calls++ {
				code, hd, b := h.get(path, tt.params)
				if code == 200 {
					continue
				}
				e := decode[graphErr](t, b)
				if code != 400 || e.Error.Code != tt.wantCode || e.Error.Subcode != tt.wantSubcode || e.Error.Type != "OAuthException" || e.Error.FBTraceID == "" {
					t.Fatalf("throttle answer %d %s", code, b)
				}
				var buc bucUsage
				if err := json.Unmarshal([]byte(hd.Get("X-Business-Use-Case-Usage")), &buc); err != nil {
					t.Fatalf("BUC header %q: %v", hd.Get("X-Business-Use-Case-Usage"), err)
				}
				regain := 0
				for _, u := range buc[h.acct[len("act_"):]] {
					if u.Type == tt.usageType {
						regain = u.Regain
						if u.Calls <= 100 {
							t.Fatalf("throttled at %d %%", u.Calls)
						}
					}
				}
				if regain <= 0 {
					t.Fatalf("no estimated_time_to_regain_access in %s", hd.Get("X-Business-Use-Case-Usage"))
				}
				// Still blocked just before the advertised time.
				h.advance(time.Duration(regain)*time.Minute - 2*time.Second)
				if code, _, b := h.get(path, tt.params); code == 200 {
					t.Fatalf("served before the advertised %d minutes: %s", regain, b)
				}
				h.advance(2 * time.Second)
				if code, _, b := h.get(path, tt.params); code != 200 {
					t.Fatalf("still refused after %d minutes: %d %s", regain, code, b)
				}
				break
			}
			if calls < 9 || calls == 50 {
				t.Fatalf("throttled after %d calls with a budget of 10", calls)
			}
		})
	}
}

// TestUsageHeadersRise checks the three usage headers exist and rise with calls.
func TestUsageHeadersRise(t *testing.T) {
	h := newHarness(t, Options{Seed: 2, Ads: 20, CallBudget: 100})
	var last int
	for i := 0; i < 5; i++ {
		code, hd, b := h.get("/v21.0/"+h.acct+"/ads", nil)
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		var acc struct {
			Pct  int    `json:"acc_id_util_pct"`
			Tier string `json:"ads_api_access_tier"`
		}
		if err := json.Unmarshal([]byte(hd.Get("X-Ad-Account-Usage")), &acc); err != nil || acc.Tier == "" {
			t.Fatalf("X-Ad-Account-Usage %q: %v", hd.Get("X-Ad-Account-Usage"), err)
		}
		if acc.Pct <= last && i > 0 {
			t.Fatalf("usage did not rise: %d then %d", last, acc.Pct)
		}
		last = acc.Pct
		var ins map[string]any
		if err := json.Unmarshal([]byte(hd.Get("X-FB-Ads-Insights-Throttle")), &ins); err != nil || ins["app_id_util_pct"] == nil {
			t.Fatalf("X-FB-Ads-Insights-Throttle %q: %v", hd.Get("X-FB-Ads-Insights-Throttle"), err)
		}
	}
}
