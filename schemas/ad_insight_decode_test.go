package schemas

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The hand-written AdInsight decoder reads what avro reads, and fails where
// it fails: on every sample, every truncation of it and every byte of it
// replaced. A change to AdInsight.avsc that decodeAdInsight does not follow
// fails here.
// adInsightFields are AdInsight.avsc's fields in order, as decodeAdInsight
// reads them.
var adInsightFields = []string{"brand_id", "ad_account_id", "ad_id", "start_date", "end_date", "creative_type",
	"ad_effective_status", "spend_micros", "revenue_micros", "orders", "impressions", "clicks", "reach", "frequency",
	"video_views", "video_plays", "video_thruplays", "video_p25", "video_p50", "video_p75", "video_p100",
	"post_engagement", "fetched_at", "version", "sync_id", "daily", "campaign_id", "campaign_name", "adset_id", "adset_name"}

func TestNativeDecodersMatchAvro(t *testing.T) {
	var avsc struct{ Fields []struct{ Name string } }
	if err := json.Unmarshal([]byte(adInsightRecord(t).text), &avsc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range avsc.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, adInsightFields) {
		t.Fatalf("AdInsight.avsc fields are %v, decodeAdInsight reads %v", names, adInsightFields)
	}

	rec := adInsightRecord(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 123_000_000, time.UTC)
	samples := []*AdInsight{
		sampleRecords()[3].(*AdInsight),
		{CreativeType: CreativeImage},
		{BrandID: "b", AdID: "1202", StartDate: "2026-11-01", EndDate: "2026-11-01", CreativeType: CreativeUnknown,
			SpendMicros: math.MaxInt64, RevenueMicros: math.MinInt64, Orders: -1, Frequency: math.Inf(-1),
			FetchedAt: at, Version: VersionAt(at), Daily: true, CampaignName: "ünïcode\ttab", AdsetName: string(make([]byte, 300))},
	}
	for i, in := range samples {
		body, err := rec.schema.Encode(in)
		if err != nil {
			t.Fatalf("sample %d: encode: %v", i, err)
		}
		bodies := [][]byte{body, append(slices.Clone(body), 0x02)}
		for n := range body {
			bodies = append(bodies, body[:n])
			for _, b := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
				c := slices.Clone(body)
				c[n] = b
				bodies = append(bodies, c)
			}
		}
		for _, b := range bodies {
			var want, got AdInsight
			wantRest, wantErr := rec.schema.Decode(b, &want)
			gotRest, gotErr := decodeAdInsight(b, &got)
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("sample %d, body %x: native error %v, avro error %v", i, b, gotErr, wantErr)
			}
			if gotErr != nil {
				continue
			}
			sameFrequency := math.Float64bits(got.Frequency) == math.Float64bits(want.Frequency) // NaN too
			got.Frequency, want.Frequency = 0, 0
			if len(gotRest) != len(wantRest) || !sameFrequency || !reflect.DeepEqual(got, want) {
				t.Fatalf("sample %d, body %x:\nnative %+v (%d bytes left)\navro   %+v (%d bytes left)", i, b, got, len(gotRest), want, len(wantRest))
			}
		}
	}
}

func adInsightRecord(t *testing.T) *record {
	t.Helper()
	recs, err := loadRecords()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.typ == reflect.TypeFor[AdInsight]() {
			return r
		}
	}
	t.Fatal("no AdInsight record")
	return nil
}
