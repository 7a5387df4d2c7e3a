package jobs

import (
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// Lookback is Meta's restatement window: a day's metrics may still change
// for this long after it ended (ADSTREAM_INSIGHTS_LOOKBACK overrides it).
const Lookback = 28 * 24 * time.Hour

// ChunkDays is the most days one unit of a plan fetches: a page of daily
// rows then holds at most ads × 7 rows.
const ChunkDays = 7

// DaysToFetch are the days of r a sync fetches: those not stored yet, and
// those fetched before their restatement window closed (less than lookback
// after the day ended), which may have changed since. Days are YYYY-MM-DD,
// in order.
func DaysToFetch(r store.Range, synced map[string]time.Time, lookback time.Duration) []string {
	start, err1 := time.Parse(time.DateOnly, r.StartDate)
	end, err2 := time.Parse(time.DateOnly, r.EndDate)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		fetched, ok := synced[day]
		if !ok || fetched.Before(d.AddDate(0, 0, 1).Add(lookback)) {
			out = append(out, day)
		}
	}
	return out
}

// Chunk is an inclusive run of days a plan fetches in one unit.
type Chunk struct{ Start, End string }

// Chunks splits ordered days into runs of consecutive days, each at most max
// days long.
func Chunks(days []string, max int) []Chunk {
	var out []Chunk
	var prev time.Time
	for _, day := range days {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			continue
		}
		n := len(out)
		if n > 0 && d.Equal(prev.AddDate(0, 0, 1)) && daysIn(out[n-1]) < max {
			out[n-1].End = day
		} else {
			out = append(out, Chunk{Start: day, End: day})
		}
		prev = d
	}
	return out
}

func daysIn(c Chunk) int {
	s, _ := time.Parse(time.DateOnly, c.Start)
	e, _ := time.Parse(time.DateOnly, c.End)
	return int(e.Sub(s)/(24*time.Hour)) + 1
}

// Permille is how far a plan of total units got when done units are done and
// the running one is fraction (0-1) through: 0-999 until the job completes.
func Permille(done, total int64, fraction float64) int64 {
	if total <= 0 {
		return 0
	}
	p := (float64(done) + min(max(fraction, 0), 1)) * 1000 / float64(total)
	return min(int64(p), 999)
}
