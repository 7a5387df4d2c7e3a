package store

import (
	"slices"
	"testing"
	"time"
)

// dayRuns covers every day of a range once, in order, in runs of
// consecutive days whose lengths differ by at most one.
func TestDayRunsCoverEveryDayOnce(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		start, end string
		n          int
		want       []int // run lengths
	}{
		{"2026-11-03", "2026-11-03", 8, []int{1}},
		{"2026-11-01", "2026-11-03", 8, []int{1, 1, 1}},
		{"2026-11-01", "2026-11-10", 8, []int{2, 2, 1, 1, 1, 1, 1, 1}},
		{"2026-10-20", "2026-11-18", 8, []int{4, 4, 4, 4, 4, 4, 3, 3}}, // across a month
		{"2026-11-01", "2026-11-30", 1, []int{30}},
		{"2026-11-02", "2026-11-01", 8, nil}, // ends before it starts
	}
	for _, tt := range tests {
		got := dayRuns(day(tt.start), day(tt.end), tt.n)
		var lengths []int
		next := day(tt.start)
		for _, run := range got {
			if !run[0].Equal(next) || run[1].Before(run[0]) {
				t.Errorf("%s..%s in %d: run %v..%v; want it to start on %v", tt.start, tt.end, tt.n, run[0], run[1], next)
			}
			lengths = append(lengths, int(run[1].Sub(run[0])/(24*time.Hour))+1)
			next = run[1].AddDate(0, 0, 1)
		}
		if len(got) > 0 && !got[len(got)-1][1].Equal(day(tt.end)) {
			t.Errorf("%s..%s in %d: last run ends %v", tt.start, tt.end, tt.n, got[len(got)-1][1])
		}
		if !slices.Equal(lengths, tt.want) {
			t.Errorf("%s..%s in %d: runs of %v days; want %v", tt.start, tt.end, tt.n, lengths, tt.want)
		}
	}
}
