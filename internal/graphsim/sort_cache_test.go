package graphsim

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSortCacheBuildsOnce checks concurrent requests for one order share a
// single build, and that the cache stays within its bound of orders by
// dropping the least recently used.
func TestSortCacheBuildsOnce(t *testing.T) {
	var c sortCache
	var builds atomic.Int64
	build := func() []sortedRow { builds.Add(1); return make([]sortedRow, 10) }
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := len(c.order("a", build)); got != 10 {
				t.Errorf("order has %d rows, want 10", got)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("8 concurrent requests built the order %d times, want 1", n)
	}

	for i := range maxCachedOrders {
		c.order(strconv.Itoa(i), build) // the last one pushes out "a", the least recently used
	}
	builds.Store(0)
	c.order("0", build)
	c.order("a", build)
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds; want only the evicted order rebuilt", n)
	}
	if len(c.entries) != maxCachedOrders || c.rows != 10*maxCachedOrders {
		t.Fatalf("cache holds %d orders of %d rows; want %d of %d", len(c.entries), c.rows, maxCachedOrders, 10*maxCachedOrders)
	}
}
