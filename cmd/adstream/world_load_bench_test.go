package main

import (
	"math"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is how one kind of request fared: answer times and throughput.
type loadResult struct {
	p50, p99 time.Duration
	perSec   float64 // answers per second over the whole measurement
	n        int     // answers measured
}

// loadBounds bound one measurement: at least min answers, then until max
// answers or the time budget passes, whichever comes first.
type loadBounds struct {
	min, max int
	budget   time.Duration
}

// alone measures one client; crowd measures 16 clients at once for the
// budget (the "16 clients"). One client's p99 is of up to 1,000
// answers, the tenth slowest: of 200 it was the second slowest, and two
// slow answers in a run (a collection, a background stamp read, another
// process taking the core) moved aggregations' p99 between 0.8 and 10.9
// ms over runs of the same code (2026-12-02).
var (
	alone = loadBounds{min: 20, max: 1000, budget: 8 * time.Second}
	crowd = loadBounds{min: 64, max: math.MaxInt, budget: 10 * time.Second}
)

// measure sends GET u from clients concurrent clients, each sending its
// next request when the previous answer has been read, after one warm-up
// request that is not counted (a first read may prepare what later reads
// look up). Any answer but 200 stops the measurement with its error.
func (w *benchWorld) measure(u string, clients int, lb loadBounds) (loadResult, error) {
	if err := w.getJSON(u, nil); err != nil {
		return loadResult{}, err
	}
	var (
		mu       sync.Mutex
		took     []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	began := time.Now()
	deadline := began.Add(lb.budget)
	more := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil {
			return false
		}
		return len(took) < lb.min || (len(took) < lb.max && time.Now().Before(deadline))
	}
	for range clients {
		wg.Go(func() {
			for more() {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				t0 := time.Now()
				err := w.do(req, nil)
				d := time.Since(t0)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				took = append(took, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	elapsed := time.Since(began)
	return loadResult{p50: quantile(took, 0.50), p99: quantile(took, 0.99),
		perSec: float64(len(took)) / elapsed.Seconds(), n: len(took)}, nil
}

// quantile is the nearest-rank q-quantile of d (with fewer than 100
// answers the 0.99 one is the slowest).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}
