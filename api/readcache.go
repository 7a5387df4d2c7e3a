package api

import (
	"container/list"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
)

// The read cache keeps rendered answers of list and aggregation reads by
// their query's shape, each with the read stamp (store.ReadStamp) taken
// before it was read. A read first takes the range's current stamp (a
// lookup of a few rows by primary key, or, within the staleness bound, the
// one the versionGate read last) and is served from the cache only when the
// entry's stamp equals it: whatever changed the range's data, jobs, brand or
// refreshed media URLs, on this replica or any other, changes the stamp, so
// no replica serves an answer from before a change once the bound has
// passed (at once with the bound at 0). Invalidating from the sync-events
// topic instead would miss what changes a range without an event of its
// own (a rebuild the consumers write after the completion event, a range an
// API replica derives from its days, a delete, a media URL refresh), and
// would still leave the event's delay as a window.

// ReadCacheLimits bound the API's read cache. The zero value takes the
// defaults; Entries < 0 turns the cache off.
type ReadCacheLimits struct {
	Entries int   // answers kept (default 10,000)
	Bytes   int64 // their approximate size in bytes (default 64 MiB)
}

const (
	defaultCacheEntries = 10_000
	defaultCacheBytes   = 64 << 20
)

// readCache is a least-recently-used map of read answers, bounded in entries
// and bytes. It is safe for concurrent use.
type readCache struct {
	maxEntries int
	maxBytes   int64
	lookups    *prometheus.CounterVec // route, result (hit, miss)
	size       *prometheus.GaugeVec   // what: entries, bytes

	mu    sync.Mutex
	bytes int64
	order *list.List // of *cachedRead, most recently used first
	byKey map[string]*list.Element
}

// cachedRead is one answer as of one read stamp. body and after hold the
// answer's fields that the version fixes; the sync state is described again
// between them on every hit, from state and the clock.
type cachedRead struct {
	key   string
	stamp store.ReadStamp // the range's, taken before the answer was read
	// rebuild is the rebuild the answer was read from. put keeps only an
	// answer of the stamp's own rebuild: a replica of a replicated ClickHouse
	// may hold a stamp before the rebuild it names (see store.ReadStamp), and
	// an answer of the older rebuild kept under that stamp would outlive the
	// rebuild's arrival, which changes no stamp.
	rebuild uint64
	state   rangeState
	body    fiber.Map
	after   fiber.Map // fields that override the described state
	// creatives is a list answer's page, encoded (nil for aggregations).
	creatives []byte
	// staleAt is when, by the media clock, a media URL in body comes within
	// mediaMargin of its expiry (zero: never): the read then refreshes it.
	staleAt time.Time
	size    int64
}

// newReadCache builds a cache within limits, its metrics registered on reg
// (nil: unregistered); nil when the limits turn it off.
func newReadCache(limits ReadCacheLimits, reg prometheus.Registerer) *readCache {
	if limits.Entries < 0 {
		return nil
	}
	c := &readCache{maxEntries: limits.Entries, maxBytes: limits.Bytes, order: list.New(), byKey: map[string]*list.Element{},
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_read_cache_lookups_total",
			Help: "Reads that looked for their answer in the API's read cache, by route and result (hit, miss).",
		}, []string{"route", "result"}),
		size: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "adstream_read_cache_size", Help: "What the API's read cache holds: entries, and their approximate bytes.",
		}, []string{"what"}),
	}
	if c.maxEntries == 0 {
		c.maxEntries = defaultCacheEntries
	}
	if c.maxBytes == 0 {
		c.maxBytes = defaultCacheBytes
	}
	for _, route := range []string{"list", "aggregations"} {
		c.lookups.WithLabelValues(route, "hit")
		c.lookups.WithLabelValues(route, "miss")
	}
	c.size.WithLabelValues("entries")
	c.size.WithLabelValues("bytes")
	if reg != nil {
		reg.MustRegister(c.lookups, c.size)
	}
	return c
}

// get returns the answer under key when it was read at stamp and its
// media URLs are still fresh at mediaNow. A nil cache holds nothing.
func (c *readCache) get(route, key string, stamp store.ReadStamp, mediaNow time.Time) (*cachedRead, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if ok {
		e := el.Value.(*cachedRead)
		if e.stamp == stamp && (e.staleAt.IsZero() || mediaNow.Before(e.staleAt)) {
			c.order.MoveToFront(el)
			c.lookups.WithLabelValues(route, "hit").Inc()
			return e, true
		}
		c.remove(el) // read at another stamp: never valid again
	}
	c.lookups.WithLabelValues(route, "miss").Inc()
	return nil, false
}

// put keeps e, evicting the least recently used answers past the limits.
// An answer larger than a tenth of the byte limit is not kept.
func (c *readCache) put(e *cachedRead) {
	if c == nil || e.size > c.maxBytes/10 || e.rebuild != e.stamp.Rebuild {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[e.key]; ok {
		c.remove(el)
	}
	c.byKey[e.key] = c.order.PushFront(e)
	c.bytes += e.size
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
	c.size.WithLabelValues("entries").Set(float64(c.order.Len()))
	c.size.WithLabelValues("bytes").Set(float64(c.bytes))
}

func (c *readCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cachedRead)
	delete(c.byKey, e.key)
	c.bytes -= e.size
}

// listKey names a list read's shape: range, sort, filters, page size,
// where the page starts and the page number it echoes.
func listKey(q store.ListQuery, page int) string {
	var b strings.Builder
	b.WriteString("list\x00" + q.BrandID + "\x00" + q.StartDate + "\x00" + q.EndDate + "\x00" + q.SortBy)
	if q.Ascending {
		b.WriteString("\x00asc")
	}
	for _, k := range slices.Sorted(maps.Keys(q.Filters)) {
		b.WriteString("\x00" + k + "=" + q.Filters[k])
	}
	b.WriteString("\x00" + strconv.Itoa(q.Limit) + "\x00" + strconv.Itoa(q.Offset) + "\x00" + strconv.Itoa(page))
	if q.After != nil {
		b.WriteString("\x00after\x00" + q.After.SortValue + "\x00" + q.After.AdID)
	}
	return b.String()
}

// aggregationKey names an aggregations read's shape.
func aggregationKey(q store.AggregationQuery) string {
	return "aggregations\x00" + q.BrandID + "\x00" + q.StartDate + "\x00" + q.EndDate + "\x00" + q.CreativeType + "\x00" + q.AdStatus
}
