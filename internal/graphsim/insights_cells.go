package graphsim

import (
	"slices"
	"time"
)

// Breakdown cells. An ad's delivery on a day is split over the cells of a
// query's breakdowns by weights drawn from the ad: the usual share of each
// value, the ad's own leaning, and zero outside its ad set's targeting.
// Every count is split exactly (split.go), so cells sum to the unbroken
// row, and summing days then cells or cells then days agree.

// dimWeight is ad a's weight for value v of d on day d (today's hours after
// the clock have none).
func dimWeight(a *ad, au *audience, d *dim, v int, today bool, now time.Time) float64 {
	if !au.allows(d, v) {
		return 0
	}
	if today && (d == dimHourAdvertiser || d == dimHourAudience) && v > now.Hour() {
		return 0
	}
	return d.share[v] * between(h(a.key, saltSplit, d.salt, uint64(v)), 0.6, 1.4)
}

// cellCum is the cumulative split of ad a's delivery over q's cells.
func (q *insightsQuery) cellCum(a *ad, au *audience, today bool, now time.Time) []int64 {
	weights := make([]float64, len(q.cells))
	for k, cell := range q.cells {
		w := 1.0
		for i, d := range q.dims {
			v := cell[i]
			w *= dimWeight(a, au, d, v, today, now)
			// A value whose parent the query does not break down by
			// (region without country) also carries its parent's weight.
			if d.parent != nil && !slices.Contains(q.dims, d.parent) {
				w *= dimWeight(a, au, d.parent, d.parentOf[v], today, now)
			}
		}
		weights[k] = w
	}
	return cumulative(weights, nil)
}

// adCells is ad a's metrics in each cell of q over br, into out (resized to
// len(q.cells)). Without breakdowns the one cell is adRange. Reach follows
// the range rule per cell, and stays within (0, impressions] for cells with
// impressions.
func (s *Server) adCells(q *insightsQuery, a *ad, tl []span, br dateRange, now time.Time, out []metrics) []metrics {
	n := len(q.cells)
	out = slices.Grow(out[:0], n)[:n]
	if len(q.dims) == 0 {
		out[0] = adRange(a, tl, br.since, br.until, now, q.ext)
		return out
	}
	clear(out)
	au := s.w.audienceOf(a.acct, a.adsetIndex())
	cum := q.cellCum(a, &au, false, now)
	var cumToday []int64
	parts := make([]metrics, n)
	maxReach := make([]int64, n)
	today := dayNum(now)
	for d := max(br.since, dayNum(a.created)); d <= min(br.until, today); d++ {
		dm := daily(a, tl, d, now, true)
		if dm.Impressions == 0 {
			continue
		}
		c := cum
		if d == today && q.hourly() {
			if cumToday == nil {
				cumToday = q.cellCum(a, &au, true, now)
			}
			c = cumToday
		}
		clear(parts)
		splitMetrics(&dm, c, parts)
		for k := range parts {
			out[k].add(parts[k])
			maxReach[k] = max(maxReach[k], parts[k].Reach)
		}
	}
	for k := range out {
		if out[k].Impressions > 0 {
			out[k].Reach = min(max(rangeReach(out[k].Reach, maxReach[k]), 1), out[k].Impressions)
		}
	}
	return out
}

// hourly reports whether q breaks down by hour, which leaves out counts of
// people (reach, frequency, unique_*), as the API does.
func (q *insightsQuery) hourly() bool {
	for _, d := range q.dims {
		if d == dimHourAdvertiser || d == dimHourAudience {
			return true
		}
	}
	return false
}
