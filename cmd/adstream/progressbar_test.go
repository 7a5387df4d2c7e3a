package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var renderNow = time.Date(2026, 11, 28, 10, 0, 30, 0, time.UTC)

// status builds a syncStatus; eta != 0 sets estimatedCompletion that far
// after renderNow.
func status(s string, processed, total int64, pct float64, eta time.Duration) syncStatus {
	st := syncStatus{JobID: testJob, Status: s}
	st.Progress.ProcessedAds, st.Progress.TotalAds, st.Progress.Percentage = processed, total, pct
	if eta != 0 {
		st.EstimatedCompletion = renderNow.Add(eta).Format(time.RFC3339Nano)
	}
	return st
}

func TestBarLine(t *testing.T) {
	tests := []struct {
		name string
		give syncStatus
		want string
	}{
		{name: "the README's example", give: status(statusProcessing, 4512, 10000, 45.12, 12*time.Second),
			want: "[#########...........]  45%  4,512/10,000 ads  ETA 0:12"},
		{name: "pending, nothing known", give: status(statusPending, 0, 0, 0, 0),
			want: "[....................]   0%  pending"},
		{name: "no estimate: no ETA", give: status(statusProcessing, 1000, 10000, 10, 0),
			want: "[##..................]  10%  1,000/10,000 ads"},
		{name: "total not known yet", give: status(statusProcessing, 250, 0, 0, 0),
			want: "[....................]   0%  250 ads"},
		{name: "99.7 % is not shown as done", give: status(statusProcessing, 9970, 10000, 99.7, 2*time.Second),
			want: "[###################.]  99%  9,970/10,000 ads  ETA 0:02"},
		{name: "an hour and more", give: status(statusProcessing, 1, 1234567, 0.01, time.Hour+2*time.Minute+3*time.Second),
			want: "[....................]   0%  1/1,234,567 ads  ETA 1:02:03"},
		{name: "an estimate already past", give: status(statusProcessing, 5000, 10000, 50, -5*time.Second),
			want: "[##########..........]  50%  5,000/10,000 ads"},
		{name: "completed: full, no ETA", give: status(statusCompleted, 10000, 10000, 100, 3*time.Second),
			want: "[####################] 100%  completed  10,000/10,000 ads"},
		{name: "failed", give: status(statusFailed, 1000, 10000, 10, 0),
			want: "[##..................]  10%  failed  1,000/10,000 ads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := barLine(tt.give, renderNow); got != tt.want {
				t.Errorf("barLine\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// On a terminal each status redraws the one line in place; elsewhere each
// change of percentage or status is a line of its own.
func TestProgressView(t *testing.T) {
	statuses := []syncStatus{
		status(statusPending, 0, 0, 0, 0),
		status(statusProcessing, 1000, 10000, 10, 30*time.Second),
		status(statusProcessing, 1050, 10000, 10.5, 29*time.Second), // the same percentage
		status(statusProcessing, 4000, 10000, 40, 20*time.Second),
		status(statusProcessing, 4010, 10000, 40.1, 0), // the estimate gone: a shorter line
		status(statusCompleted, 10000, 10000, 100, 0),
	}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{name: "terminal", tty: true, want: "\r[....................]   0%  pending" +
			"\r[##..................]  10%  1,000/10,000 ads  ETA 0:30" +
			"\r[##..................]  10%  1,050/10,000 ads  ETA 0:29" +
			"\r[########............]  40%  4,000/10,000 ads  ETA 0:20" +
			"\r[########............]  40%  4,010/10,000 ads          " + // spaces wipe the longer line
			"\r[####################] 100%  completed  10,000/10,000 ads" +
			"\nlost the progress stream (EOF); reconnecting\n"},
		{name: "not a terminal", want: "pending 0%\n" +
			"processing 10%  1,000/10,000 ads  ETA 0:30\n" +
			"processing 40%  4,000/10,000 ads  ETA 0:20\n" +
			"completed 100%  10,000/10,000 ads\n" +
			"lost the progress stream (EOF); reconnecting\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			v := &progressView{w: &out, tty: tt.tty, now: func() time.Time { return renderNow }}
			for _, st := range statuses {
				v.show(st)
			}
			v.notice("lost the progress stream (EOF); reconnecting")
			if got := out.String(); got != tt.want {
				t.Errorf("output\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	began := renderNow.Add(-90 * time.Second)
	tests := []struct {
		name string
		give syncStatus
		want string
	}{
		{name: "the API's times", give: func() syncStatus {
			st := status(statusCompleted, 10000, 10000, 100, 0)
			st.CreatedAt, st.CompletedAt = "2026-11-28T10:00:00Z", "2026-11-28T10:01:05.4Z"
			return st
		}(), want: "completed: 10,000 ads in 1:05"},
		{name: "without them, the time waited", give: status(statusCompleted, 10000, 10000, 100, 0),
			want: "completed: 10,000 ads in 1:30"},
		{name: "fewer ads than announced", give: status(statusCompleted, 9990, 10000, 100, 0),
			want: "completed: 9,990/10,000 ads in 1:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.summary(began, renderNow); got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGroupThousands(t *testing.T) {
	for give, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 4512: "4,512", 1234567: "1,234,567", -12000: "-12,000"} {
		if got := groupThousands(give); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", give, got, want)
		}
	}
	if strings.Contains(clock(-3*time.Second), "-") {
		t.Errorf("clock of a negative duration is %q", clock(-3*time.Second))
	}
}
