package graphsim

import (
	"slices"
	"sync"
)

// Bounds of the sort cache: enough for a few 100k-ad orders at once, and
// few enough entries that a moving clock, which makes every page a new key,
// cannot pile them up.
const (
	maxCachedRows   = 4 << 20 // 64 MiB of sortedRow
	maxCachedOrders = 32
)

// sortCache keeps recently built sorted insights orders so that paging
// through a sorted result sorts once. It is safe for concurrent use;
// requests asking for an order being built wait for it instead of building
// it again. The zero value is ready to use.
type sortCache struct {
	mu      sync.Mutex
	entries map[string]*sortEntry
	recent  []string // keys, least recently used first
	rows    int      // rows held by built entries
}

type sortEntry struct {
	once sync.Once
	rows []sortedRow // written once by once.Do
	held int         // len(rows) once built and counted; guarded by sortCache.mu
}

// order returns the order cached under key, calling build to make it when
// absent. build runs without the cache's lock held.
func (c *sortCache) order(key string, build func() []sortedRow) []sortedRow {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*sortEntry{}
	}
	e, ok := c.entries[key]
	if ok {
		i := slices.Index(c.recent, key)
		c.recent = slices.Delete(c.recent, i, i+1)
	} else {
		e = &sortEntry{}
		c.entries[key] = e
	}
	c.recent = append(c.recent, key)
	c.mu.Unlock()
	e.once.Do(func() {
		rows := build()
		e.rows = rows
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.entries[key] == e {
			e.held = len(rows)
			c.rows += e.held
		}
		c.evict()
	})
	return e.rows
}

// evict drops the least recently used orders while over a bound, always
// keeping the newest.
func (c *sortCache) evict() {
	for (c.rows > maxCachedRows || len(c.recent) > maxCachedOrders) && len(c.recent) > 1 {
		k := c.recent[0]
		c.recent = c.recent[1:]
		c.rows -= c.entries[k].held
		delete(c.entries, k)
	}
}
