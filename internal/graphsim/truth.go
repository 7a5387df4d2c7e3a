package graphsim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Truth is the ground truth for a brand, range and creative type, computed
// straight from the world's daily series (not through the insights code) over
// ads with impressions in the range. Weighted averages divide totals
// (ctr = clicks/impressions·100, cpc = spend/clicks, cpp = spend/reach·1000
// with each ad's range reach, roas = revenue/spend); plain averages are the
// mean of per-ad values over ads where the ratio is defined.
type Truth struct {
	BrandID               string  `json:"brand_id"`
	Since                 string  `json:"since"`
	Until                 string  `json:"until"`
	CreativeType          string  `json:"creative_type"`
	Now                   string  `json:"now"`
	TotalAds              int64   `json:"total_ads"`
	TotalSpend            float64 `json:"total_spend"`
	TotalSpendMicros      int64   `json:"total_spend_micros"`
	TotalRevenue          float64 `json:"total_revenue"`
	TotalRevenueMicros    int64   `json:"total_revenue_micros"`
	TotalOrders           int64   `json:"total_orders"`
	TotalImpressions      int64   `json:"total_impressions"`
	TotalClicks           int64   `json:"total_clicks"`
	TotalReach            int64   `json:"total_reach"`
	TotalVideoViews       int64   `json:"total_video_views"`
	TotalVideoP25Watched  int64   `json:"total_video_p25_watched"`
	TotalVideoP50Watched  int64   `json:"total_video_p50_watched"`
	TotalVideoP75Watched  int64   `json:"total_video_p75_watched"`
	TotalVideoP100Watched int64   `json:"total_video_p100_watched"`
	WeightedAvgCTR        float64 `json:"weighted_avg_ctr"`
	WeightedAvgCPC        float64 `json:"weighted_avg_cpc"`
	WeightedAvgCPP        float64 `json:"weighted_avg_cpp"`
	WeightedAvgROAS       float64 `json:"weighted_avg_roas"`
	AvgCTR                float64 `json:"avg_ctr"`
	AvgCPC                float64 `json:"avg_cpc"`
	AvgCPP                float64 `json:"avg_cpp"`
	AvgROAS               float64 `json:"avg_roas"`
	// Rows split the additive totals by breakdown and by day, when asked.
	Rows []TruthRow `json:"rows,omitempty"`
}

// ErrUnknownBrand is returned by Truth for a brand id the world lacks.
var ErrUnknownBrand = errors.New("unknown brand_id")

// Truth computes the ground truth at the current simulated time, as GET
// /_sim/truth does: brandID "" means demo, since/until are YYYY-MM-DD ("" for
// the last 30 complete days), creativeType is "", "all", "video", "image",
// "carousel" or "unknown". It is safe to call concurrently with serving.
func (s *Server) Truth(brandID, since, until, creativeType string) (Truth, error) {
	return s.TruthRows(brandID, since, until, creativeType, "", false)
}

// TruthRows is Truth with Rows: the totals split by breakdowns (a comma
// list of insights breakdowns in a combination the API allows, "" for none)
// and, when daily, by day. Rows are left out when neither is asked for.
func (s *Server) TruthRows(brandID, since, until, creativeType, breakdowns string, daily bool) (Truth, error) {
	return s.truthOf(brandID, "", since, until, creativeType, breakdowns, daily)
}

// truthOf is TruthRows over one ad account of the brand ("act_…" or its
// number), or over all of them for accountID "".
func (s *Server) truthOf(brandID, accountID, since, until, creativeType, breakdowns string, daily bool) (Truth, error) {
	now := s.Now()
	if brandID == "" {
		brandID = "demo"
	}
	brand := -1
	for i, b := range s.w.brands {
		if b.id == brandID {
			brand = i
		}
	}
	if brand < 0 {
		return Truth{}, fmt.Errorf("%w %q", ErrUnknownBrand, brandID)
	}
	accounts := s.w.brands[brand].accounts
	if accountID != "" {
		g, ok := s.w.lookupAccount(accountID)
		if !ok || s.w.accounts[g].brand != brand {
			return Truth{}, fmt.Errorf("account_id %q is not an ad account of brand %q", accountID, brandID)
		}
		accounts = []int{g}
	}
	rng, _ := datePreset("last_30d", now)
	for _, p := range []struct {
		s   string
		dst *int64
	}{{since, &rng.since}, {until, &rng.until}} {
		if p.s == "" {
			continue
		}
		d, ok := parseDay(p.s)
		if !ok {
			return Truth{}, fmt.Errorf("date %q is not YYYY-MM-DD", p.s)
		}
		*p.dst = d
	}
	var kind *creativeKind
	if creativeType != "" && creativeType != "all" {
		for k, name := range creativeKindNames {
			if name == creativeType {
				c := creativeKind(k)
				kind = &c
			}
		}
		if kind == nil {
			return Truth{}, fmt.Errorf("creative_type %q is not all, video, image, carousel or unknown", creativeType)
		}
	}
	t := s.w.truth(brand, accounts, rng.since, rng.until, kind, now)
	if breakdowns != "" || daily {
		rows, err := s.w.truthRows(accounts, rng.since, rng.until, kind, breakdowns, daily, now)
		if err != nil {
			return Truth{}, err
		}
		t.Rows = rows
	}
	return t, nil
}

// truth computes Truth of the brand's accounts; kind is nil for all
// creative types.
func (w *world) truth(brand int, accounts []int, since, until int64, kind *creativeKind, now time.Time) Truth {
	t := Truth{BrandID: w.brands[brand].id, Since: dateString(since), Until: dateString(until), CreativeType: "all", Now: now.Format(time.RFC3339)}
	if kind != nil {
		t.CreativeType = kind.String()
	}
	var spendCents, revenueCents int64
	var sumCTR, sumCPC, sumCPP, sumROAS float64
	var nCPC, nROAS int64
	last := min(until, dayNum(now))
	var buf [8]span
	for _, g := range accounts {
		n := w.adCount(now)
		for i := 0; i < n; i++ {
			a := w.adAt(g, i)
			if kind != nil && a.kind != *kind {
				continue
			}
			tl := w.timeline(&a, now, buf[:0])
			var imp, clicks, reachSum, reachMax, spend, rev int64
			var m metrics
			for d := since; d <= last; d++ {
				x := daily(&a, tl, d, now, false)
				imp += x.Impressions
				clicks += x.Clicks
				spend += x.SpendCents
				rev += x.RevenueCents
				reachSum += x.Reach
				reachMax = max(reachMax, x.Reach)
				m.add(x)
			}
			if imp == 0 {
				continue
			}
			reach := rangeReach(reachSum, reachMax)
			t.TotalAds++
			t.TotalImpressions += imp
			t.TotalClicks += clicks
			t.TotalReach += reach
			t.TotalOrders += m.Purchases
			t.TotalVideoViews += m.Video3s
			t.TotalVideoP25Watched += m.P25
			t.TotalVideoP50Watched += m.P50
			t.TotalVideoP75Watched += m.P75
			t.TotalVideoP100Watched += m.P100
			spendCents += spend
			revenueCents += rev
			sumCTR += float64(clicks) * 100 / float64(imp)
			sumCPP += float64(spend) * 10 / float64(reach)
			if clicks > 0 {
				sumCPC += float64(spend) / 100 / float64(clicks)
				nCPC++
			}
			if spend > 0 {
				sumROAS += float64(rev) / float64(spend)
				nROAS++
			}
		}
	}
	t.TotalSpendMicros, t.TotalRevenueMicros = spendCents*10_000, revenueCents*10_000
	t.TotalSpend, t.TotalRevenue = float64(spendCents)/100, float64(revenueCents)/100
	t.WeightedAvgCTR = div(float64(t.TotalClicks)*100, float64(t.TotalImpressions))
	t.WeightedAvgCPC = div(t.TotalSpend, float64(t.TotalClicks))
	t.WeightedAvgCPP = div(t.TotalSpend*1000, float64(t.TotalReach))
	t.WeightedAvgROAS = div(t.TotalRevenue, t.TotalSpend)
	t.AvgCTR = div(sumCTR, float64(t.TotalAds))
	t.AvgCPC = div(sumCPC, float64(nCPC))
	t.AvgCPP = div(sumCPP, float64(t.TotalAds))
	t.AvgROAS = div(sumROAS, float64(nROAS))
	return t
}

// div rounds to six decimals, the precision the insights strings carry; a
// zero denominator gives 0 rather than NaN so the JSON stays valid.
func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1e6) / 1e6
}
