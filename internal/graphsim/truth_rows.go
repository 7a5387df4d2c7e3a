package graphsim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TruthRow is the ground truth of one breakdown cell (and one day, when
// asked by day): the additive totals the insights rows of that cell sum to.
type TruthRow struct {
	Breakdowns            map[string]string `json:"breakdowns,omitempty"`
	Date                  string            `json:"date,omitempty"`
	TotalSpendMicros      int64             `json:"total_spend_micros"`
	TotalRevenueMicros    int64             `json:"total_revenue_micros"`
	TotalOrders           int64             `json:"total_orders"`
	TotalImpressions      int64             `json:"total_impressions"`
	TotalClicks           int64             `json:"total_clicks"`
	TotalLinkClicks       int64             `json:"total_link_clicks"`
	TotalVideoViews       int64             `json:"total_video_views"`
	TotalVideoP25Watched  int64             `json:"total_video_p25_watched"`
	TotalVideoP50Watched  int64             `json:"total_video_p50_watched"`
	TotalVideoP75Watched  int64             `json:"total_video_p75_watched"`
	TotalVideoP100Watched int64             `json:"total_video_p100_watched"`
}

func (t *TruthRow) add(m *metrics) {
	t.TotalSpendMicros += m.SpendCents * 10_000
	t.TotalRevenueMicros += m.RevenueCents * 10_000
	t.TotalOrders += m.Purchases
	t.TotalImpressions += m.Impressions
	t.TotalClicks += m.Clicks
	t.TotalLinkClicks += m.LinkClicks
	t.TotalVideoViews += m.Video3s
	t.TotalVideoP25Watched += m.P25
	t.TotalVideoP50Watched += m.P50
	t.TotalVideoP75Watched += m.P75
	t.TotalVideoP100Watched += m.P100
}

// truthRows splits the accounts' delivery over since..until by the
// breakdowns (a comma list of insights breakdowns) and, when daily, by day:
// one row per cell (and day) with delivery, in cell order then date order.
// It follows the world's daily series and its split rule directly, not the
// insights pages.
func (w *world) truthRows(accounts []int, since, until int64, kind *creativeKind, breakdowns string, byDay bool, now time.Time) ([]TruthRow, error) {
	var dims []*dim
	if breakdowns != "" {
		var err *graphError
		if dims, err = parseBreakdowns(breakdowns, nil, false); err != nil {
			return nil, fmt.Errorf("breakdowns: %s", strings.TrimPrefix(err.message, "(#100) "))
		}
	}
	q := &insightsQuery{dims: dims, cells: breakdownCells(dims)}
	days := int64(1)
	if byDay {
		days = until - since + 1
	}
	rows := make([]TruthRow, int64(len(q.cells))*days)
	seen := make([]bool, len(rows))
	parts := make([]metrics, len(q.cells))
	var buf [8]span
	last := min(until, dayNum(now))
	for _, g := range accounts {
		for i := range w.adCount(now) {
			a := w.adAt(g, i)
			if kind != nil && a.kind != *kind {
				continue
			}
			tl := w.timeline(&a, now, buf[:0])
			au := w.audienceOf(a.acct, a.adsetIndex())
			var cum, cumToday []int64
			for d := since; d <= last; d++ {
				dm := daily(&a, tl, d, now, true)
				if dm.Impressions == 0 {
					continue
				}
				if cum == nil {
					cum = q.cellCum(&a, &au, false, now)
				}
				c := cum
				if d == dayNum(now) && q.hourly() {
					if cumToday == nil {
						cumToday = q.cellCum(&a, &au, true, now)
					}
					c = cumToday
				}
				clear(parts)
				splitMetrics(&dm, c, parts)
				day := int64(0)
				if byDay {
					day = d - since
				}
				for k := range parts {
					if parts[k].Impressions == 0 {
						continue
					}
					at := int64(k)*days + day
					rows[at].add(&parts[k])
					seen[at] = true
				}
			}
		}
	}
	out := make([]TruthRow, 0, len(rows))
	for at, r := range rows {
		if !seen[at] {
			continue
		}
		k, day := int64(at)/days, int64(at)%days
		if len(dims) > 0 {
			r.Breakdowns = map[string]string{}
			for i, d := range dims {
				r.Breakdowns[d.name] = d.values[q.cells[k][i]]
			}
		}
		if byDay {
			r.Date = dateString(since + day)
		}
		out = append(out, r)
	}
	return slices.Clip(out), nil
}
