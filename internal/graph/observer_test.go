package graph

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

type recordingObserver struct {
	mu    sync.Mutex
	infos []RequestInfo
}

func (o *recordingObserver) ObserveRequest(i RequestInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.infos = append(o.infos, i)
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	obs := &recordingObserver{}
	h := newHarness(t, failFirst(func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Ad-Account-Usage", `{"acc_id_util_pct":100,"reset_time_duration":5}`)
		graphError(w, 400, 17, 2446079, "too many calls")
	}), func(c *Config) { c.Observer = obs })

	if _, err := h.c.Insights(context.Background(), testToken, "5", "2024-01-01", "2024-01-02", nil).Next(context.Background()); err != nil {
		t.Fatal(err)
	}

	type seen struct {
		Endpoint, Account string
		Attempt, Status   int
		Code              int
		Pct               float64
		Failed            bool
	}
	var got []seen
	for _, i := range obs.infos {
		got = append(got, seen{i.Endpoint, i.Account, i.Attempt, i.Status, i.Code, i.Usage.MaxPct, i.Err != nil})
	}
	want := []seen{
		{"insights", "5", 1, 400, 17, 100, true},
		{"insights", "5", 2, 200, 0, 0, false},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("observed %+v, want %+v", got, want)
	}
}
