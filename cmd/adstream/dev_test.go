package main

import (
	"testing"
	"time"
)

func TestDemoRangeIsTheThirtyDaysBeforeToday(t *testing.T) {
	for _, tt := range []struct {
		give               string
		wantClock          string
		wantStart, wantEnd string
	}{
		{give: "2026-12-01T20:23:51Z", wantClock: "2026-12-01T00:00:00Z", wantStart: "2026-11-01", wantEnd: "2026-11-30"},
		{give: "2027-03-01T00:00:00Z", wantClock: "2027-03-01T00:00:00Z", wantStart: "2027-01-30", wantEnd: "2027-02-28"},
		// Another zone's evening is already tomorrow in UTC, graphsim's zone.
		{give: "2026-12-31T23:30:00-05:00", wantClock: "2027-01-01T00:00:00Z", wantStart: "2026-12-02", wantEnd: "2026-12-31"},
	} {
		t.Run(tt.give, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			clock := devClock(now)
			r := demoRange(clock)
			if got := clock.Format(time.RFC3339); got != tt.wantClock || r.StartDate != tt.wantStart || r.EndDate != tt.wantEnd {
				t.Errorf("clock %s, range %s..%s; want %s, %s..%s", got, r.StartDate, r.EndDate, tt.wantClock, tt.wantStart, tt.wantEnd)
			}
		})
	}
}
