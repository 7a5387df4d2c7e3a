package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/config"
)

// followWith follows testJob on the fake with short delays, so that the
// test does not wait for the command's real ones.
func followWith(t *testing.T, f *fakeAPI, key string) (syncStatus, error) {
	t.Helper()
	srv := f.start(t)
	c := newAPIClient(config.APIClient{URL: srv.URL, Key: config.Secret(key)})
	c.streamIdle = 150 * time.Millisecond
	fl := newJobFollower(c, syncRange{Brand: "demo", Start: "2026-11-01", End: "2026-11-30"}, testJob, &progressView{w: io.Discard, now: time.Now})
	fl.retryMin, fl.retryMax, fl.giveUp = 10*time.Millisecond, 50*time.Millisecond, 500*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return fl.follow(ctx)
}

// A stream that goes silent (a connection that died without a reset) is
// given up on and opened again.
func TestFollowReconnectsASilentStream(t *testing.T) {
	f := &fakeAPI{streams: [][]step{
		{progressEvent(testJob, statusProcessing, 10), {wait: time.Minute, heartbeat: true}},
		completingStream(testJob)},
		statuses: []step{progressEvent(testJob, statusProcessing, 10)}}
	st, err := followWith(t, f, "")
	if err != nil || st.Status != statusCompleted {
		t.Fatalf("follow = %+v, %v; want completed", st, err)
	}
	if _, _, conns := f.seen(); conns != 2 {
		t.Errorf("%d event stream connections, want 2", conns)
	}
}

func TestFollowGivesUp(t *testing.T) {
	tests := []struct {
		name      string
		give      *fakeAPI
		key       string
		wantErr   string
		wantConns int // event stream connections tried; 0: any
	}{
		{name: "no news of the job at all", give: &fakeAPI{}, wantErr: "no news of job " + testJob + " for 500ms"},
		{name: "no news of this job: only of another", give: &fakeAPI{statuses: []step{progressEvent("other-job", statusProcessing, 10)}},
			wantErr: "no news of job " + testJob},
		{name: "a refused key is not retried", give: &fakeAPI{key: "k3y-0123456789abcdef"}, key: "wrong-key-0123456789",
			wantErr: "ADSTREAM_API_KEY is not one of the API's keys", wantConns: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := followWith(t, tt.give, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("gave up only at the test's deadline, after %s", time.Since(start))
			}
			if reqs, _, _ := tt.give.seen(); tt.wantConns > 0 && len(reqs) != tt.wantConns {
				t.Errorf("requests %q, want %d", reqs, tt.wantConns)
			}
		})
	}
}
