package api

import (
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

var adIDPattern = regexp.MustCompile(`^[0-9]{1,32}$`)

// getSeries serves GET /api/creatives/:brandId/series: one point per day of
// the range, summed from the stored days over the ads of one creative type
// (or all), or of one ad (adId=), for charts of spend and the like over time.
// Days without data are zeros; a range whose days are not all stored gets its
// sync queued and says "complete": false.
func (s *server) getSeries(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	q := store.SeriesQuery{Range: r, CreativeType: c.Query("creative_type", "all"), AdID: c.Query("adId")}
	if !validCreativeType(q.CreativeType) {
		return badRequest("creative_type", "%q must be all, video, image, carousel or unknown", q.CreativeType)
	}
	if q.AdID != "" && !adIDPattern.MatchString(q.AdID) {
		return badRequest("adId", "%q is not an ad id (digits)", q.AdID)
	}
	for _, m := range strings.Split(c.Query("metrics", "spend"), ",") {
		m = strings.TrimSpace(m)
		if _, ok := store.SeriesMetrics[m]; !ok {
			return badRequest("metrics", "%q is not a series metric; use some of %s", m, keys(store.SeriesMetrics))
		}
		if m == "reach" && q.AdID == "" {
			return badRequest("metrics", "reach does not add up over ads: ask for it with adId")
		}
		q.Metrics = append(q.Metrics, m)
	}
	if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
		return err
	}
	st, err := s.readRange(c.Context(), r)
	if err != nil {
		return err
	}
	points, err := s.deps.Store.Series(c.Context(), q)
	if err != nil {
		return err
	}
	resp := fiber.Map{
		"success": true, "brandId": r.BrandID, "startDate": r.StartDate, "endDate": r.EndDate,
		"creative_type": q.CreativeType, "metrics": q.Metrics, "series": seriesJSON(r, q.Metrics, points),
	}
	if q.AdID != "" {
		resp["adId"] = q.AdID
	}
	st.describe(resp, time.Now())
	return c.JSON(resp)
}

// seriesJSON is one object per day of r, zeros where no day was stored.
func seriesJSON(r store.Range, metrics []string, points []store.SeriesPoint) []fiber.Map {
	byDay := make(map[string]store.SeriesPoint, len(points))
	for _, p := range points {
		byDay[p.Date] = p
	}
	start, _ := time.Parse(time.DateOnly, r.StartDate)
	end, _ := time.Parse(time.DateOnly, r.EndDate)
	out := []fiber.Map{}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		point := fiber.Map{"date": day}
		p, ok := byDay[day]
		for i, m := range metrics {
			v := 0.0
			if ok {
				v = p.Values[i]
			}
			point[m] = round6(v)
		}
		out = append(out, point)
	}
	return out
}
