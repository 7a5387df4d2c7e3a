package api

import (
	"errors"
	"math"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

var adStatusPattern = regexp.MustCompile(`^[A-Z][A-Z_]{0,39}$`)

// getAggregations serves GET /api/creatives/:brandId/aggregations: the exact
// totals of a range for one creative type (or all), from the aggregation
// table the consumers rebuild when a sync's records are all stored. A range
// whose sync completed but whose rebuild is still owed gets its totals
// computed, not stored. A range never synced gets its sync queued and, until it completed,
// the totals of what is stored so far, computed and not stored, with
// "complete": false.
func (s *server) getAggregations(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	q := store.AggregationQuery{Range: r, CreativeType: c.Query("creative_type", "all"), AdStatus: c.Query("ad_status")}
	if !validCreativeType(q.CreativeType) {
		return badRequest("creative_type", "%q must be all, video, image, carousel or unknown", q.CreativeType)
	}
	if q.AdStatus != "" && !adStatusPattern.MatchString(q.AdStatus) {
		return badRequest("ad_status", "%q must be an effective status such as ACTIVE or PAUSED", q.AdStatus)
	}
	if vs, ok := s.deps.Store.(versionedStore); ok {
		return s.aggregationsVersioned(c, vs, q)
	}
	if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
		return err
	}
	st, err := s.readRange(c.Context(), r)
	if err != nil {
		return err
	}
	return s.aggregationsStored(c, st, q)
}

// aggregationsStored answers an aggregations read of a range in state st
// from what the store holds now.
func (s *server) aggregationsStored(c *fiber.Ctx, st rangeState, q store.AggregationQuery) error {
	source := "stored"
	agg, err := s.deps.Store.Aggregations(c.Context(), q)
	switch {
	case !st.complete():
		source = "partial"
		agg, err = s.deps.Store.AggregateNow(c.Context(), q)
	case errors.Is(err, store.ErrNotFound):
		// The consumers rebuild a completed job's range once its records
		// are all stored; until then the totals are computed, not stored: a
		// read between the completion and the last insert would freeze a part.
		source = "calculated"
		agg, err = s.deps.Store.AggregateNow(c.Context(), q)
	}
	if err != nil {
		return err
	}
	resp := aggregationAnswer(q, agg, source, st.queued.Queued)
	st.describe(resp, time.Now())
	if agg.JobID != "" {
		resp["jobId"] = agg.JobID // the job whose records these totals are of
	}
	return c.JSON(resp)
}

// aggregationAnswer is an aggregations answer but for the range's sync state.
func aggregationAnswer(q store.AggregationQuery, agg store.Aggregation, source string, queued bool) fiber.Map {
	resp := fiber.Map{
		"success":                 true,
		"brandId":                 q.BrandID,
		"startDate":               q.StartDate,
		"endDate":                 q.EndDate,
		"creative_type":           q.CreativeType,
		"aggregations":            aggregationJSON(agg),
		"source":                  source,
		"backgroundSyncTriggered": queued,
	}
	if agg.RebuildVersion != 0 {
		resp["lastCalculatedAt"] = agg.CalculatedAt().Format(time.RFC3339Nano)
		resp["dataVersion"] = agg.RebuildVersion / 1e6 // milliseconds: exact as a JSON number
	}
	if q.AdStatus != "" {
		resp["ad_status"] = q.AdStatus
	}
	return resp
}

// aggregationJSON is the seed's aggregations object plus the exact money
// totals in micro-units. Ratios are rounded to six decimals. Reach and the
// ratios over it are null when some ad's reach is unknown (a range derived
// from days: reach is not their sum).
func aggregationJSON(a store.Aggregation) fiber.Map {
	m := aggregationMap(a)
	if a.Reach < 0 {
		for _, k := range []string{"total_reach", "weighted_avg_cpp", "avg_cpp"} {
			m[k] = nil
		}
		m["reach_unknown_reason"] = "reach counts people, who are counted again on every day: a range derived from days has no reach until a sync of the range itself fetches it"
	}
	return m
}

func aggregationMap(a store.Aggregation) fiber.Map {
	return fiber.Map{
		"total_ads":                   a.TotalAds,
		"total_spend":                 float64(a.SpendMicros) / 1e6,
		"total_spend_micros":          a.SpendMicros,
		"total_revenue":               float64(a.RevenueMicros) / 1e6,
		"total_revenue_micros":        a.RevenueMicros,
		"total_orders":                a.Orders,
		"total_impressions":           a.Impressions,
		"total_clicks":                a.Clicks,
		"total_reach":                 a.Reach,
		"total_video_views":           a.VideoViews,
		"total_video_p25_watched":     a.VideoP25,
		"total_video_p50_watched":     a.VideoP50,
		"total_video_p75_watched":     a.VideoP75,
		"total_video_p100_watched":    a.VideoP100,
		"weighted_avg_ctr":            round6(a.WeightedCTR()),
		"weighted_avg_cpc":            round6(a.WeightedCPC()),
		"weighted_avg_cpp":            round6(a.WeightedCPP()),
		"weighted_avg_roas":           round6(a.WeightedROAS()),
		"weighted_avg_cost_per_order": round6(a.WeightedCostPerOrder()),
		"avg_ctr":                     round6(a.AvgCTR()),
		"avg_cpc":                     round6(a.AvgCPC()),
		"avg_cpp":                     round6(a.AvgCPP()),
		"avg_roas":                    round6(a.AvgROAS()),
		"avg_video_p25_watched_rate":  pct(a.VideoP25, a.Impressions),
		"avg_video_p50_watched_rate":  pct(a.VideoP50, a.Impressions),
		"avg_video_p100_watched_rate": pct(a.VideoP100, a.Impressions),
	}
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
