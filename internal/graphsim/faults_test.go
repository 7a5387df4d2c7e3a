package graphsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func (h *harness) setFaults(f Faults) {
	h.t.Helper()
	b, _ := json.Marshal(f)
	req, _ := http.NewRequest(http.MethodPut, h.srv.URL+"/_sim/faults", bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		h.t.Fatalf("PUT /_sim/faults: %d", resp.StatusCode)
	}
}

// TestFaultErrorShapes checks that every fault mode that answers does so
// with the Graph error envelope, status and codes of the real API.
func TestFaultErrorShapes(t *testing.T) {
	tests := []struct {
		name        string
		give        Faults
		token       string // "" uses the demo token
		path        string // appended to /v21.0/<acct>
		params      url.Values
		wantStatus  int
		wantCode    int
		wantSubcode int
	}{
		{name: "transient 500", give: Faults{TransientRate: 1}, path: "/ads", wantStatus: 500, wantCode: 2},
		{name: "timeout bound", give: Faults{TimeoutRate: 1, TimeoutMs: 20}, path: "/ads", wantStatus: 500, wantCode: 2},
		{name: "expired token", give: Faults{ExpireToken: true}, path: "/ads", wantStatus: 400, wantCode: 190, wantSubcode: 463},
		{name: "expired brand", give: Faults{ExpireBrands: []string{"demo"}}, path: "/insights", wantStatus: 400, wantCode: 190, wantSubcode: 463},
		{name: "permission 200", give: Faults{PermissionDenied: []string{"ACCT"}}, path: "/ads", wantStatus: 400, wantCode: 200},
		{name: "permission 10", give: Faults{PermissionDenied: []string{"ACCT"}, PermissionCode: 10}, path: "/insights", wantStatus: 400, wantCode: 10},
		{name: "reduce data", give: Faults{ReduceDataAbove: 10}, path: "/ads", params: url.Values{"limit": {"11"}}, wantStatus: 500, wantCode: 1},
		{name: "forced throttle", give: Faults{ThrottleRate: 1}, path: "/ads", wantStatus: 400, wantCode: 17, wantSubcode: 2446079},
		{name: "forced 613", give: Faults{ThrottleRate: 1, ThrottleCode: 613}, path: "/ads", wantStatus: 400, wantCode: 613, wantSubcode: 1487742},
		{name: "forced 80000", give: Faults{ThrottleRate: 1, ThrottleCode: 80000}, path: "/insights", wantStatus: 400, wantCode: 80000, wantSubcode: 2446079},
		{name: "bad token", token: "nope", path: "/ads", wantStatus: 400, wantCode: 190},
		{name: "no token", token: "-", path: "/ads", wantStatus: 400, wantCode: 190},
		{name: "unknown field", path: "/ads", params: url.Values{"fields": {"id,bogus"}}, wantStatus: 400, wantCode: 100},
		{name: "bad effective_status", path: "/ads", params: url.Values{"effective_status": {`["ACTIVE","LIVE"]`}}, wantStatus: 400, wantCode: 100},
		{name: "unknown edge", path: "/nothing", wantStatus: 400, wantCode: 2500},
		{name: "bad time_range", path: "/insights", params: url.Values{"time_range": {`{"since":"2026-11-10","until":"2026-11-01"}`}}, wantStatus: 400, wantCode: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{Seed: 4, Ads: 20})
			for i, a := range tt.give.PermissionDenied {
				if a == "ACCT" {
					tt.give.PermissionDenied[i] = h.acct
				}
			}
			h.setFaults(tt.give)
			q := url.Values{}
			for k, v := range tt.params {
				q[k] = v
			}
			switch tt.token {
			case "":
			case "-":
				q.Set("access_token", "")
			default:
				q.Set("access_token", tt.token)
			}
			u := h.srv.URL + "/v21.0/" + h.acct + tt.path + "?" + q.Encode()
			if tt.token == "" {
				u += "&access_token=" + h.token
			}
			code, _, b := h.do(http.MethodGet, u, nil)
			e := decode[graphErr](t, b)
			if code != tt.wantStatus || e.Error.Code != tt.wantCode || e.Error.Subcode != tt.wantSubcode {
				t.Fatalf("got %d code %d/%d, want %d code %d/%d: %s", code, e.Error.Code, e.Error.Subcode, tt.wantStatus, tt.wantCode, tt.wantSubcode, b)
			}
			if e.Error.Message == "" || e.Error.Type == "" || e.Error.FBTraceID == "" {
				t.Fatalf("incomplete envelope: %s", b)
			}
		})
	}
}

// TestFaultOtherAccountPermission checks a token cannot read another brand.
func TestFaultOtherAccountPermission(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Ads: 20, Brands: 2})
	other := h.sim.Brands()[1].AdAccountIDs[0]
	code, _, b := h.get("/v21.0/"+other+"/insights", nil)
	if e := decode[graphErr](t, b); code != 400 || e.Error.Code != 200 {
		t.Fatalf("got %d %s, want 400 code 200", code, b)
	}
	// Objects of another brand look absent, as on the real API.
	code, _, b = h.get("/v21.0/"+other+"/ads", url.Values{"access_token": {h.sim.Brands()[1].AccessToken}, "limit": {"1"}})
	if code != 200 {
		t.Fatalf("the other brand's own token: got %d %s, want 200", code, b)
	}
	id := decode[graphPage](t, b).Data[0]["id"].(string)
	code, _, b = h.get("/v21.0/"+id, nil)
	if e := decode[graphErr](t, b); code != 400 || e.Error.Code != 100 || e.Error.Subcode != 33 {
		t.Fatalf("got %d %s, want 400 code 100/33", code, b)
	}
}

func TestFaultTruncatedBody(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Ads: 20})
	h.setFaults(Faults{TruncateRate: 1})
	resp, err := http.Get(h.srv.URL + "/v21.0/" + h.acct + "/ads?access_token=" + h.token)
	if err != nil {
		return // dropped before headers: also a truncation a client must handle
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("read a complete body from a truncated response: %s", b)
	}
	if json.Valid(b) {
		t.Fatalf("truncated body is valid JSON: %s", b)
	}
}

func TestFaultTimeoutHangsUntilClientGivesUp(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Ads: 20})
	h.setFaults(Faults{TimeoutRate: 1, TimeoutMs: 5000})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/v21.0/"+h.acct+"/ads?access_token="+h.token, nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("want a client timeout after 50ms, got err=%v after %v", err, time.Since(start))
	}
}

func TestFaultLatency(t *testing.T) {
	h := newHarness(t, Options{Seed: 4, Ads: 20, Faults: Faults{LatencyMs: 30, JitterMs: 10}})
	start := time.Now()
	if code, _, b := h.get("/v21.0/"+h.acct+"/ads", nil); code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("answered in %v, want at least 30ms", d)
	}
}

// TestFaultTransientRateIsDeterministic checks the same seed gives the same
// fault sequence, and a partial rate fails some calls but not all.
func TestFaultTransientRateIsDeterministic(t *testing.T) {
	run := func() []int {
		h := newHarness(t, Options{Seed: 9, Ads: 20, Faults: Faults{TransientRate: 0.3}})
		var codes []int
		for i := 0; i < 40; i++ {
			code, _, _ := h.get("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"1"}})
			codes = append(codes, code)
		}
		return codes
	}
	a, b := run(), run()
	fails := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d: %d then %d with the same seed", i, a[i], b[i])
		}
		if a[i] == 500 {
			fails++
		}
	}
	if fails == 0 || fails == len(a) {
		t.Fatalf("%d of %d calls failed at rate 0.3", fails, len(a))
	}
}
