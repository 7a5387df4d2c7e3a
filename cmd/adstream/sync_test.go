package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testJob = "full-7f3a"

// completingStream is a job's whole life in one stream: pending, 10, 40,
// 80 %, a heartbeat, completed.
func completingStream(job string) []step {
	return []step{progressEvent(job, statusPending, 0), progressEvent(job, statusProcessing, 10),
		progressEvent(job, statusProcessing, 40), {wait: 5 * time.Millisecond, heartbeat: true},
		progressEvent(job, statusProcessing, 80), progressEvent(job, statusCompleted, 100)}
}

// runSync runs `adstream sync` with args against the API at url.
func runSync(t *testing.T, ctx context.Context, url string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	all := map[string]string{"ADSTREAM_API_URL": url}
	for k, v := range env {
		all[k] = v
	}
	var out, errOut bytes.Buffer
	err := runMain(ctx, append([]string{"sync"}, args...), func(k string) string { return all[k] }, &out, &errOut)
	var ec exitCode
	switch {
	case err == nil:
	case errors.As(err, &ec):
		code = int(ec)
	default:
		code = 1
		errOut.WriteString(err.Error())
	}
	return code, out.String(), errOut.String()
}

// TestSyncCommand runs `adstream sync` against a fake of the API's contract.
func TestSyncCommand(t *testing.T) {
	rangeArgs := []string{"--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30"}
	tests := []struct {
		name       string
		give       *fakeAPI
		args       []string // after the range flags
		env        map[string]string
		wantCode   int
		wantOut    []string // each in stdout, in this order
		wantNotOut []string // none in stdout or stderr
		wantErr    []string // each in stderr
		wantReqs   []string // each the start of one of the requests, in this order
	}{
		{name: "without --wait: the job and how to follow it",
			give:     &fakeAPI{job: testJob},
			wantOut:  []string{"Creative sync job queued: job " + testJob, "follow it: adstream sync --brand demo --start 2026-11-01 --end 2026-11-30 --follow"},
			wantReqs: []string{"POST /api/creatives/sync/demo"}},
		{name: "REFRESH posts to the refresh route",
			give: &fakeAPI{job: "refresh-1", message: "Creative refresh job queued"}, args: []string{"--kind", "refresh"},
			wantOut: []string{"Creative refresh job queued: job refresh-1"}, wantReqs: []string{"POST /api/creatives/refresh/demo"}},
		{name: "a sync of the range already running is followed",
			give: &fakeAPI{job: testJob, message: "A sync of this range is already in progress", streams: [][]step{completingStream(testJob)}},
			args: []string{"--wait"}, wantOut: []string{"already in progress: job " + testJob, "completed: 10,000 ads"}},
		{name: "--wait shows each percentage until completed",
			give:     &fakeAPI{job: testJob, streams: [][]step{completingStream(testJob)}},
			args:     []string{"--wait"},
			wantOut:  []string{"job " + testJob, "pending 0%", "processing 10%  1,000/10,000 ads  ETA 0:1", "processing 40%", "processing 80%", "completed: 10,000 ads in 1:05"},
			wantReqs: []string{"POST /api/creatives/sync/demo", "GET /api/creatives/sync/events/demo?endDate=2026-11-30&startDate=2026-11-01"}},
		{name: "a failed job: its error and exit 3",
			give: &fakeAPI{job: testJob, streams: [][]step{{progressEvent(testJob, statusPending, 0), progressEvent(testJob, statusProcessing, 10),
				failedEvent(testJob, 10, "token_invalid", "the brand's access token expired")}}},
			args: []string{"--wait"}, wantCode: 3,
			wantOut: []string{"processing 10%", "failed 10%"}, wantErr: []string{"sync failed: token_invalid: the brand's access token expired"}},
		{name: "another job of the range is ignored",
			give: &fakeAPI{job: testJob, streams: [][]step{append([]step{progressEvent("old-job", statusProcessing, 70),
				progressEvent("old-job", statusFailed, 70)}, completingStream(testJob)...)}},
			args: []string{"--wait"}, wantOut: []string{"pending 0%", "processing 40%", "completed"}, wantNotOut: []string{"70%", "failed"}},
		{name: "a broken stream is resumed",
			give: &fakeAPI{job: testJob, streams: [][]step{
				{progressEvent(testJob, statusPending, 0), progressEvent(testJob, statusProcessing, 10), {cut: true}},
				{progressEvent(testJob, statusProcessing, 40), progressEvent(testJob, statusProcessing, 80), progressEvent(testJob, statusCompleted, 100)}},
				statuses: []step{progressEvent(testJob, statusProcessing, 20)}},
			args:     []string{"--wait"},
			wantOut:  []string{"processing 10%", "lost the progress stream", "processing 20%", "processing 40%", "processing 80%", "completed"},
			wantReqs: []string{"GET /api/creatives/sync/events/demo", "GET /api/creatives/sync/status/demo", "GET /api/creatives/sync/events/demo"}},
		{name: "a stream that stays down: the status endpoint is polled",
			give: &fakeAPI{job: testJob, statuses: []step{progressEvent(testJob, statusProcessing, 10),
				progressEvent(testJob, statusProcessing, 50), progressEvent(testJob, statusCompleted, 100)}},
			args: []string{"--wait"}, wantOut: []string{"processing 10%", "processing 50%", "completed: 10,000 ads"}},
		{name: "no key: 401 says to set ADSTREAM_API_KEY",
			give: &fakeAPI{key: "k3y-0123456789abcdef", job: testJob}, wantCode: 2,
			wantErr: []string{"adstream sync: missing or invalid API key; the API needs a key: set ADSTREAM_API_KEY"}},
		{name: "a wrong key: 401, the key never shown",
			give: &fakeAPI{key: "k3y-0123456789abcdef", job: testJob}, env: map[string]string{"ADSTREAM_API_KEY": "s3cr3t-wrong-key"}, wantCode: 2,
			wantErr: []string{"ADSTREAM_API_KEY is not one of the API's keys"}, wantNotOut: []string{"s3cr3t"}},
		{name: "the key is sent as a bearer token",
			give: &fakeAPI{key: "k3y-0123456789abcdef", job: testJob, streams: [][]step{completingStream(testJob)}},
			env:  map[string]string{"ADSTREAM_API_KEY": "k3y-0123456789abcdef"}, args: []string{"--wait"}, wantOut: []string{"completed"}},
		{name: "--follow starts nothing and follows the latest job",
			give: &fakeAPI{job: "unused", streams: [][]step{completingStream(testJob)}, statuses: []step{progressEvent(testJob, statusProcessing, 30)}},
			args: []string{"--follow"}, wantOut: []string{"following job " + testJob, "processing 40%", "completed"},
			wantReqs: []string{"GET /api/creatives/sync/status/demo", "GET /api/creatives/sync/events/demo"}},
		{name: "an unknown brand", give: &fakeAPI{job: testJob}, args: []string{"--brand", "nobody"}, wantCode: 2,
			wantErr: []string{`adstream sync: not found: is brand "nobody" registered?`}},
		{name: "--follow of a range without a job", give: &fakeAPI{}, args: []string{"--follow"}, wantCode: 2,
			wantErr: []string{"adstream sync: no sync job for this range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.give.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			code, out, errOut := runSync(t, ctx, srv.URL, tt.env, append(rangeArgs, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			assertInOrder(t, "stdout", out, tt.wantOut)
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range tt.wantNotOut {
				if strings.Contains(out+errOut, w) {
					t.Errorf("output shows %q:\nstdout:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
			reqs, _, _ := tt.give.seen()
			assertInOrder(t, "requests", strings.Join(reqs, "\n"), tt.wantReqs)
		})
	}
}

// assertInOrder checks that each of want appears in got after the previous one.
func assertInOrder(t *testing.T, what, got string, want []string) {
	t.Helper()
	rest := got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q after what came before:\n%s", what, w, got)
			return
		}
		rest = rest[i+len(w):]
	}
}

func TestSyncCommandAuthorization(t *testing.T) {
	f := &fakeAPI{key: "k3y-0123456789abcdef", job: testJob}
	srv := f.start(t)
	code, _, errOut := runSync(t, context.Background(), srv.URL, map[string]string{"ADSTREAM_API_KEY": "k3y-0123456789abcdef"},
		"--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	if _, auth, _ := f.seen(); len(auth) != 1 || auth[0] != "Bearer k3y-0123456789abcdef" {
		t.Errorf("Authorization headers %q, want one bearer token", auth)
	}
}

func TestSyncCommandUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there now
	code, _, errOut := runSync(t, context.Background(), url, nil, "--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30", "--wait")
	if code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if want := "adstream sync: no API answers at " + url + " (connection refused)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
}

func TestSyncCommandFlagsAndHelp(t *testing.T) {
	tests := []struct {
		name     string
		give     []string
		env      map[string]string
		wantCode int
		wantIn   []string // each in stdout or stderr
	}{
		{name: "help lists the settings and exit codes", give: []string{"--help"},
			wantIn: []string{"--brand", "--wait", "ADSTREAM_API_URL", "http://127.0.0.1:8080", "ADSTREAM_API_KEY", "Exit codes:", "3    the job failed"}},
		{name: "every bad flag at once", give: []string{"--start", "2026-13-01", "--kind", "INCREMENTAL"}, wantCode: 1,
			wantIn: []string{"--brand: is required", `--start: "2026-13-01" is not a date`, "--end: is required", `--kind: "INCREMENTAL" is not FULL or REFRESH`}},
		{name: "end before start", give: []string{"--brand", "demo", "--start", "2026-11-30", "--end", "2026-11-01"}, wantCode: 1,
			wantIn: []string{"--end: 2026-11-01 is before --start 2026-11-30"}},
		{name: "a bad API URL", give: []string{"--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30"},
			env: map[string]string{"ADSTREAM_API_URL": "localhost:8080"}, wantCode: 1, wantIn: []string{"ADSTREAM_API_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"ADSTREAM_API_URL": "http://127.0.0.1:1"}
			for k, v := range tt.env {
				env[k] = v
			}
			var out, errOut bytes.Buffer
			err := runMain(context.Background(), append([]string{"sync"}, tt.give...), func(k string) string { return env[k] }, &out, &errOut)
			code := 0
			if err != nil {
				code = 1
				errOut.WriteString(err.Error())
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (err %v)", code, tt.wantCode, err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(out.String()+errOut.String(), w) {
					t.Errorf("output lacks %q:\n%s%s", w, out.String(), errOut.String())
				}
			}
		})
	}
}

// Ctrl-C while waiting stops the waiting, not the job, and says so.
func TestSyncCommandInterrupted(t *testing.T) {
	f := &fakeAPI{job: testJob, streams: [][]step{{progressEvent(testJob, statusProcessing, 10), {wait: time.Minute, heartbeat: true}}}}
	srv := f.start(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runMain(ctx, []string{"sync", "--brand", "demo", "--start", "2026-11-01", "--end", "2026-11-30", "--wait"},
			func(k string) string { return map[string]string{"ADSTREAM_API_URL": srv.URL}[k] }, out, errOut)
	}()
	waitFor(t, 10*time.Second, "the first progress line", func() bool { return strings.Contains(out.String(), "processing 10%") })
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sync did not stop within 10 s of Ctrl-C")
	}
	if !errors.Is(err, exitInterrupted) {
		t.Errorf("err = %v, want exit code %d", err, exitInterrupted)
	}
	if want := "stopped waiting; job " + testJob + " goes on in the API"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
	}
}
