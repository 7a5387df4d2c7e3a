package api

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
)

func TestReadCacheBounds(t *testing.T) {
	v1, v2 := store.ReadStamp{Writes: 1, Rebuild: 1}, store.ReadStamp{Writes: 2, Rebuild: 1}
	for _, tc := range []struct {
		name     string
		give     ReadCacheLimits
		puts     []int64 // sizes of entries k0, k1, …, put in order
		wantKeep []string
	}{
		{"entries", ReadCacheLimits{Entries: 2, Bytes: 1 << 20}, []int64{10, 10, 10}, []string{"k1", "k2"}},
		{"bytes", ReadCacheLimits{Entries: 100, Bytes: 1000}, []int64{60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60}, []string{"k1", "k16"}},
		{"too large to keep", ReadCacheLimits{Entries: 100, Bytes: 1000}, []int64{101}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newReadCache(tc.give, prometheus.NewRegistry())
			for i, size := range tc.puts {
				c.put(&cachedRead{key: fmt.Sprintf("k%d", i), stamp: v1, rebuild: v1.Rebuild, size: size})
			}
			if c.bytes > tc.give.Bytes || c.order.Len() > tc.give.Entries {
				t.Errorf("holds %d entries, %d bytes; limits %+v", c.order.Len(), c.bytes, tc.give)
			}
			for _, k := range tc.wantKeep {
				if _, ok := c.get("list", k, v1, time.Now()); !ok {
					t.Errorf("%s was evicted", k)
				}
			}
			if _, ok := c.get("list", "k0", v1, time.Now()); ok && len(tc.puts) > 1 {
				t.Errorf("k0, the least recently used, was kept")
			}
		})
	}
	t.Run("another version misses and drops the entry", func(t *testing.T) {
		c := newReadCache(ReadCacheLimits{}, nil)
		c.put(&cachedRead{key: "k", stamp: v1, rebuild: v1.Rebuild, size: 10})
		if _, ok := c.get("list", "k", v2, time.Now()); ok {
			t.Fatal("an answer read at stamp 1 was served at stamp 2")
		}
		if _, ok := c.get("list", "k", v1, time.Now()); ok || c.bytes != 0 {
			t.Errorf("the entry of an older version stayed (%d bytes)", c.bytes)
		}
	})
	t.Run("stale media urls miss", func(t *testing.T) {
		c := newReadCache(ReadCacheLimits{}, nil)
		now := time.Now()
		c.put(&cachedRead{key: "k", stamp: v1, rebuild: v1.Rebuild, size: 10, staleAt: now.Add(time.Minute)})
		if _, ok := c.get("list", "k", v1, now); !ok {
			t.Error("fresh answer missed")
		}
		if _, ok := c.get("list", "k", v1, now.Add(2*time.Minute)); ok {
			t.Error("an answer whose media URLs are due for a refresh was served")
		}
	})
	t.Run("off", func(t *testing.T) {
		c := newReadCache(ReadCacheLimits{Entries: -1}, nil)
		c.put(&cachedRead{key: "k", stamp: v1, rebuild: v1.Rebuild})
		if _, ok := c.get("list", "k", v1, time.Now()); ok {
			t.Error("a cache that is off answered")
		}
	})
}

// Every request gets a version from a read that began after it arrived,
// however many requests share that read.
func TestVersionGateNeverAnswersFromAReadBegunEarlier(t *testing.T) {
	var started atomic.Uint64
	release := make(chan struct{})
	var first sync.Once
	g := newVersionGate(func(context.Context, store.Range) (store.ReadStamp, error) {
		n := started.Add(1)
		first.Do(func() { <-release }) // the first read is in flight while the others arrive
		time.Sleep(time.Millisecond)
		return store.ReadStamp{Writes: n}, nil
	}, 0)
	r := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"}
	var wg sync.WaitGroup
	var stale atomic.Int64
	ask := func() {
		arrived := started.Load() // reads begun before this request
		v, err := g.version(context.Background(), r)
		if err != nil || v.Writes <= arrived {
			stale.Add(1)
		}
	}
	wg.Go(ask)
	for started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for range 16 {
		wg.Go(ask)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	for range 50 {
		wg.Go(ask)
		time.Sleep(100 * time.Microsecond)
	}
	wg.Wait()
	if stale.Load() != 0 {
		t.Errorf("%d requests got a version read before they arrived", stale.Load())
	}
	t.Logf("67 requests, %d version reads", started.Load())
	// The last read's goroutine forgets the range just after answering.
	held := 0
	for range 200 {
		g.mu.Lock()
		held = len(g.ranges)
		g.mu.Unlock()
		if held == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if held != 0 {
		t.Errorf("an idle gate holds %d ranges", held)
	}
}

// Within the staleness bound a range's stamp answers without a read; past
// half of it a request still gets the stamp at once and starts the next
// read in the background; past the bound a request waits for a read begun
// after it arrived; endStaleness makes the next request wait for one too.
func TestVersionGateAnswersWithinItsStalenessBound(t *testing.T) {
	const bound = 2 * time.Second
	var reads atomic.Uint64
	g := newVersionGate(func(context.Context, store.Range) (store.ReadStamp, error) {
		return store.ReadStamp{Writes: reads.Add(1)}, nil
	}, bound)
	r := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"}
	ask := func(when string, want uint64) {
		t.Helper()
		v, err := g.version(context.Background(), r)
		if err != nil || v.Writes != want {
			t.Fatalf("%s: stamp %d (%v), want the one of read %d", when, v.Writes, err, want)
		}
	}
	ask("first request", 1)
	for range 100 {
		ask("within the bound", 1)
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("101 requests within the bound made %d reads, want 1", n)
	}
	time.Sleep(bound/2 + 100*time.Millisecond)
	ask("past half of the bound", 1) // and read 2 starts
	for reads.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	for i := 0; ; i++ {
		v, _ := g.version(context.Background(), r)
		if v.Writes == 2 {
			break
		}
		if i > 1000 {
			t.Fatal("the read begun in the background never answered")
		}
		time.Sleep(time.Millisecond)
	}
	if n := reads.Load(); n != 2 {
		t.Fatalf("reads %d, want 2: one in the background", n)
	}
	g.endStaleness()
	ask("after endStaleness", 3)
	time.Sleep(bound + 100*time.Millisecond)
	ask("past the bound", 4)
	g.mu.Lock()
	held := len(g.ranges)
	g.mu.Unlock()
	if held != 1 {
		t.Errorf("the gate holds %d ranges, want the one read", held)
	}
}
