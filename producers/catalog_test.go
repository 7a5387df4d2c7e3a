package producers

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/schemas"
)

// The catalog holds every ad with data of the accounts it knows, for as long
// as the producer runs: at 100k ads its memory is what dev's RSS gains over
// a small world, so an ad must stay small. Ids are Graph's length; type and
// status strings are fresh ones, as JSON decoding makes them.
func TestCatalogBytesPerAd(t *testing.T) {
	const ads = 100_000
	statuses := []string{"ACTIVE", "PAUSED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"}
	types := []schemas.CreativeType{"video", "image", "carousel"}
	updated := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	before := liveHeap()
	var cat adCatalog
	seen := make(map[string]adMeta) // grown ad by ad, as a job's range pages fill it
	for i := range ads {
		status := strings.Clone(statuses[i%len(statuses)])
		typ := schemas.CreativeType(strings.Clone(string(types[i%len(types)])))
		seen[fmt.Sprintf("12021%013d", i)] = newAdMeta(typ, status, updated.Add(time.Duration(i)*time.Second))
	}
	cat.learn("b", "act_1", time.Minute, nil, seen, changes{parents: map[string]string{}})
	seen = nil
	perAd := float64(liveHeap()-before) / ads
	k := cat.known("b", "act_1")
	if k == nil || len(k.ads) != ads {
		t.Fatalf("the catalog knows %v, want %d ads", k, ads)
	}
	if m, _ := k.get("120210000000000007"); m.creativeType() != "image" || m.effectiveStatus() != "ADSET_PAUSED" {
		t.Errorf("ad 7 is %q %q, want image ADSET_PAUSED", m.creativeType(), m.effectiveStatus())
	}
	// Two strings and a time.Time an entry took 157 bytes an ad, and 261
	// with the catalog's copy of the job's map at the job's end.
	if perAd > 100 {
		t.Errorf("the catalog holds %.0f bytes an ad, want at most 100", perAd)
	}
	t.Logf("%.0f bytes an ad", perAd)
	runtime.KeepAlive(&cat)
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
