package graph

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graphsim"
)

// BenchmarkDecodeInsightsPage measures the CPU a producer spends on one page
// of 500 daily insights rows as graphsim writes them: the validity check, the
// page's envelope and every row into an Insight, as Pager.Next and Decode
// do. It reports the CPU time per row (user and system, of the process:
// unlike wall time it hardly moves when other work shares the machine).
func BenchmarkDecodeInsightsPage(b *testing.B) {
	body := simPage(b, true)
	b.SetBytes(int64(len(body)))
	var rows int
	cpu := cpuTime()
	for b.Loop() {
		if !validJSON(body) {
			b.Fatal("invalid page")
		}
		page, err := decodePage(body)
		if err != nil {
			b.Fatal(err)
		}
		got, err := DecodeInsights(page.Data)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(got)
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// simPage is the first page of 500 level=ad rows from graphsim: one per ad
// and day of a week when daily, else one per ad for the week.
func simPage(b testing.TB, daily bool) []byte {
	sim, err := graphsim.New(graphsim.Options{Seed: 5, Ads: 2000})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	brand := sim.Brands()[0]
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	p := c.Insights(context.Background(), Token(brand.AccessToken), brand.AdAccountIDs[0], "2026-11-01", "2026-11-07", nil)
	if daily {
		p.Daily()
	}
	req := p.first
	req.query.Set("limit", "500")
	u, _ := url.Parse(srv.URL + req.path + "?" + req.query.Encode())
	hreq, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	hreq.Header.Set("Authorization", "Bearer "+brand.AccessToken)
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("page: %d %v %s", resp.StatusCode, err, body)
	}
	return body
}
