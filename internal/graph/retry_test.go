package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func okObject(w http.ResponseWriter, _ *http.Request, _ int) {
	writeJSON(w, map[string]string{"id": "1", "name": "ok"})
}

// failFirst serves fail on the first call and ok after.
func failFirst(fail handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			fail(w, r, n)
			return
		}
		okObject(w, r, n)
	}
}

func TestThrottleWaitsAdvertisedTime(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		value    string
		code     int
		subcode  int
		wantMin  time.Duration
		wantMax  time.Duration
		wantUsed float64
	}{
		{
			name:   "business use case regain minutes",
			header: "X-Business-Use-Case-Usage",
			value:  `{"123":[{"type":"ads_insights","call_count":100,"total_cputime":40,"total_time":60,"estimated_time_to_regain_access":2}]}`,
			code:   80000, wantMin: 2 * time.Minute, wantMax: 2*time.Minute + 12*time.Second, wantUsed: 100,
		},
		{
			name:   "ad account reset seconds",
			header: "X-Ad-Account-Usage",
			value:  `{"acc_id_util_pct":100,"reset_time_duration":30}`,
			code:   17, subcode: 2446079, wantMin: 30 * time.Second, wantMax: 33 * time.Second, wantUsed: 100,
		},
		{
			name:   "insights throttle without a wait backs off",
			header: "X-FB-Ads-Insights-Throttle",
			value:  `{"app_id_util_pct":12,"acc_id_util_pct":101}`,
			code:   80004, wantMin: 5 * time.Second, wantMax: 10 * time.Second, wantUsed: 101,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, failFirst(func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set(tt.header, tt.value)
				graphError(w, 400, tt.code, tt.subcode, "There have been too many calls")
			}))

			err := h.c.Get(context.Background(), testToken, "act_123/insights", nil, nil)

			if err != nil {
				t.Fatalf("Get = %v, want success after the wait", err)
			}
			s := h.sleepsSoFar()
			if len(s) != 1 || s[0] < tt.wantMin || s[0] > tt.wantMax {
				t.Errorf("waits = %v, want one in [%s, %s]", s, tt.wantMin, tt.wantMax)
			}
			if h.callCount() != 2 {
				t.Errorf("requests = %d, want 2", h.callCount())
			}
			if u, ok := h.c.Usage("act_123"); !ok || u.MaxPct != tt.wantUsed {
				t.Errorf("Usage = %+v, %v; want MaxPct %v", u, ok, tt.wantUsed)
			}
		})
	}
}

func TestTransientFailuresRetried(t *testing.T) {
	tests := []struct {
		name string
		give handlerFunc
	}{
		{"500 code 2", func(w http.ResponseWriter, _ *http.Request, _ int) {
			graphError(w, 500, 2, 0, "Service temporarily unavailable")
		}},
		{"502 from a proxy", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(502)
			io.WriteString(w, "<html>bad gateway</html>")
		}},
		{"is_transient", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"try again","code":1200,"is_transient":true}}`)
		}},
		{"truncated body", func(w http.ResponseWriter, _ *http.Request, _ int) {
			io.WriteString(w, `{"id":"1","na`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, failFirst(tt.give))
			var out struct{ Name string }

			err := h.c.Get(context.Background(), testToken, "1", nil, &out)

			if err != nil || out.Name != "ok" {
				t.Fatalf("Get = %v, %+v; want the second answer", err, out)
			}
			if s := h.sleepsSoFar(); len(s) != 1 || s[0] < 500*time.Millisecond || s[0] > time.Second {
				t.Errorf("waits = %v, want one backoff in [0.5s, 1s]", s)
			}
		})
	}
}

func TestTimeoutRetried(t *testing.T) {
	h := newHarness(t, failFirst(func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}), func(c *Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })

	if err := h.c.Get(context.Background(), testToken, "1", nil, nil); err != nil {
		t.Fatalf("Get = %v, want success on the retry", err)
	}
	if h.callCount() != 2 {
		t.Errorf("requests = %d, want 2", h.callCount())
	}
}

func TestPermanentErrorsNotRetried(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		wantIs   error
		wantText string
	}{
		{"expired token", 190, ErrAuthExpired, "access token expired or invalid"},
		{"permission", 200, ErrPermission, "code 200"},
		{"ads permission", 10, ErrPermission, "code 10"},
		{"invalid parameter", 100, nil, "code 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				graphError(w, 400, tt.code, 0, "nope")
			})

			err := h.c.Get(context.Background(), testToken, "act_1", nil, nil)

			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("error = %v, want it to say %q", err, tt.wantText)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if h.callCount() != 1 || len(h.sleepsSoFar()) != 0 {
				t.Errorf("requests = %d, waits = %v; want 1 and none", h.callCount(), h.sleepsSoFar())
			}
		})
	}
}

func TestRetriesRunOut(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		graphError(w, 500, 2, 0, "down")
	}, func(c *Config) { c.MaxRetries = 3 })

	err := h.c.Get(context.Background(), testToken, "1", nil, nil)

	if err == nil || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Fatalf("error = %v, want it to say after 4 attempts", err)
	}
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second}
	if s := h.sleepsSoFar(); !slices.Equal(s, want) {
		t.Errorf("waits = %v, want doubling %v", s, want)
	}
}

func TestThrottleBeyondMaxWaitReturns(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Business-Use-Case-Usage", `{"1":[{"type":"ads_management","call_count":120,"estimated_time_to_regain_access":120}]}`)
		graphError(w, 400, 80004, 0, "too many calls")
	})

	err := h.c.Get(context.Background(), testToken, "act_1/ads", nil, nil)

	ae, ok := errors.AsType[*APIError](err)
	if !ok || !errors.Is(err, ErrThrottled) || ae.RetryAfter < 2*time.Hour {
		t.Fatalf("error = %v, want a throttle with RetryAfter ≥ 2h", err)
	}
	if h.callCount() != 1 || len(h.sleepsSoFar()) != 0 {
		t.Errorf("requests = %d, waits = %v; want 1 and none", h.callCount(), h.sleepsSoFar())
	}
}

func TestCancelStopsWait(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Business-Use-Case-Usage", `{"1":[{"call_count":100,"estimated_time_to_regain_access":10}]}`)
		graphError(w, 400, 17, 2446079, "too many calls")
	}, func(c *Config) { c.Sleep = nil })
	h.c.sleep = sleepCtx
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()

	err := h.c.Get(ctx, testToken, "act_1/insights", nil, nil)

	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("Get = %v after %s, want the deadline at once", err, time.Since(start))
	}
}

func TestSlowsDownNearLimit(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []time.Duration
	}{
		{"below", `{"acc_id_util_pct":80}`, nil},
		{"95 %", `{"acc_id_util_pct":95}`, []time.Duration{5 * time.Second}},
		{"at 100 % waits the reset", `{"acc_id_util_pct":100,"reset_time_duration":40}`, []time.Duration{40 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("X-Ad-Account-Usage", tt.give)
				okObject(w, r, n)
			})
			for range 2 {
				if err := h.c.Get(context.Background(), testToken, "act_7", nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			if s := h.sleepsSoFar(); !slices.Equal(s, tt.want) {
				t.Errorf("waits = %v, want %v before the second call", s, tt.want)
			}
		})
	}
}
