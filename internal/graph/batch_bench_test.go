package graph

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graphsim"
)

// BenchmarkByIDs looks up the ads of one 500-row insights page (10 /?ids=
// requests of 50) one request at a time and as one Graph batch, against
// graphsim at 100 ms a call, and reports the HTTP calls and wall time of each.
//
//	go test -run '^$' -bench ByIDs -benchtime 5x ./internal/graph/
func BenchmarkByIDs(b *testing.B) {
	for _, mode := range []string{"one_by_one", "batch"} {
		b.Run(mode, func(b *testing.B) {
			s := newSimClient(b, graphsim.Options{Ads: 500, AdsPerDay: -1, Faults: graphsim.Faults{LatencyMs: 100}}, func(c *Config) {
				c.NoBatch = mode == "one_by_one"
			})
			p := s.c.Ads(b.Context(), s.tok, s.acct, "id").WithLimit(500)
			raw, err := p.Next(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]string, len(raw))
			for i, r := range raw {
				var v struct{ ID string }
				_ = json.Unmarshal(r, &v)
				ids[i] = v.ID
			}
			before := s.calls("ids") + s.calls("batch")
			start := time.Now()
			for b.Loop() {
				got, err := s.c.ByIDs(b.Context(), s.tok, ids, AdFields)
				if err != nil || len(got) != len(ids) {
					b.Fatalf("%d of %d ads: %v", len(got), len(ids), err)
				}
			}
			b.ReportMetric(float64(s.calls("ids")+s.calls("batch")-before)/float64(b.N), "calls/op")
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall_s/op")
		})
	}
}
