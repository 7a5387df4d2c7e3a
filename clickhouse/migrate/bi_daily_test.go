package migrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/adstream/adstream/schemas"
)

// The BI user's daily views agree with each other and with what was stored,
// though a day was fetched twice.
func TestBIDailyViews(t *testing.T) {
	s := newBIStack(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC)
	var days []*schemas.AdInsight
	for v, spend := range []int64{1_500_000, 2_250_001} { // a refresh restated the day
		days = append(days, &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: "ad-01", StartDate: "2026-11-02",
			EndDate: "2026-11-02", Daily: true, CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE",
			SpendMicros: spend, Impressions: 100, Reach: 80, FetchedAt: at, Version: int64(v + 1), CampaignName: "Spring"})
	}
	days = append(days, &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: "ad-02", StartDate: "2026-11-02",
		EndDate: "2026-11-02", Daily: true, CreativeType: schemas.CreativeVideo, AdEffectiveStatus: "ACTIVE",
		SpendMicros: 1_000_000, Impressions: 50, Reach: 40, FetchedAt: at, Version: 1})
	if err := s.st.InsertInsights(ctx, days); err != nil {
		t.Fatal(err)
	}
	want := decimal.RequireFromString("3.250001")
	for _, q := range []string{
		"SELECT sum(spend) FROM v_ad_daily WHERE brand_id = 'acme' AND date = '2026-11-02'",
		"SELECT sum(spend) FROM v_type_daily WHERE brand_id = 'acme' AND date = '2026-11-02' AND creative_type = 'video'",
	} {
		var got decimal.Decimal
		if err := s.bi.QueryRow(ctx, q).Scan(&got); err != nil || !got.Equal(want) {
			t.Errorf("%s = %v (%v), want %v", q, got, err, want)
		}
	}
	var name string
	if err := s.bi.QueryRow(ctx, "SELECT campaign_name FROM v_ad_daily WHERE ad_id = 'ad-01'").Scan(&name); err != nil || name != "Spring" {
		t.Errorf("campaign of ad-01 = %q (%v)", name, err)
	}
}
