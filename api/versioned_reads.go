package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// Reads at a resolved version: a list or aggregations read first takes the
// range's store.ReadVersion (one round trip, shared with the reads of the
// range that wait at the same time: see versionGate), answers from the read cache
// when it holds the answer at that version, and otherwise reads the
// version's snapshot directly (the brand and the range's job at once, then
// the count and the page at once) and keeps the answer. A range the version
// does not answer alone (a first sync, a live fallback, days to derive) goes
// the general way.

// listVersioned serves a list read at the range's version.
func (s *server) listVersioned(c *fiber.Ctx, vs versionedStore, q store.ListQuery, page int, began time.Time) error {
	ctx := c.Context()
	r := q.Range
	v, err := s.gate.version(ctx, r)
	if err != nil {
		return err
	}
	key := listKey(q)
	if e, ok := s.cache.get("list", key, v, s.mediaNow()); ok {
		return s.sendCached(c, e, began)
	}
	brand, st, snapshot, err := s.brandAndRange(c, vs, r, v, true)
	if err != nil {
		return err
	}
	if !st.atVersion(r, v) || !snapshot {
		return s.listStored(c, brand, st, q, page, listVideoOptions{}, began)
	}
	var total int64
	var rows []store.Creative
	var hasMore bool
	var countErr, listErr error
	together(func() { total, countErr = vs.CountSnapshot(ctx, r, v.Rebuild, q.Filters) }, func() {
		rows, hasMore, listErr = listPage(q, -1, func(q store.ListQuery) ([]store.Creative, error) {
			return vs.ListSnapshot(ctx, q, v.Rebuild)
		})
	})
	if errors.Is(listErr, store.ErrSnapshotGone) { // a newer rebuild landed meanwhile
		return s.listStored(c, brand, st, q, page, listVideoOptions{}, began)
	}
	if err := errors.Join(countErr, listErr); err != nil {
		return err
	}
	if q.After == nil {
		hasMore = int64(q.Offset+q.Limit) < total
	}
	out := make([]CreativeJSON, len(rows))
	for i, row := range rows {
		out[i] = creativeJSON(r, row)
	}
	if err := s.decorateCreatives(c, brand, listVideoOptions{}, out); err != nil {
		return err
	}
	creatives, err := json.Marshal(out)
	if err != nil {
		return err
	}
	e := &cachedRead{key: key, version: v, state: st, body: listAnswer(q, page, total, rows, hasMore, json.RawMessage(creatives)),
		size: int64(len(key) + len(creatives) + 512)}
	if s.deps.Videos != nil {
		e.staleAt = mediaStaleAt(out)
	}
	s.cache.put(e)
	return s.sendCached(c, e, began)
}

// aggregationsVersioned serves an aggregations read at the range's version.
func (s *server) aggregationsVersioned(c *fiber.Ctx, vs versionedStore, q store.AggregationQuery) error {
	ctx := c.Context()
	v, err := s.gate.version(ctx, q.Range)
	if err != nil {
		return err
	}
	key := aggregationKey(q)
	if e, ok := s.cache.get("aggregations", key, v, time.Time{}); ok {
		return s.sendCached(c, e, time.Time{})
	}
	_, st, _, err := s.brandAndRange(c, vs, q.Range, v, false)
	if err != nil {
		return err
	}
	if !st.atVersion(q.Range, v) {
		return s.aggregationsStored(c, st, q)
	}
	agg, err := s.deps.Store.Aggregations(ctx, q)
	if errors.Is(err, store.ErrNotFound) || (err == nil && agg.RebuildVersion != v.Rebuild) {
		return s.aggregationsStored(c, st, q) // deleted or rebuilt meanwhile
	}
	if err != nil {
		return err
	}
	e := &cachedRead{key: key, version: v, state: st, body: aggregationAnswer(q, agg, "stored", false), size: int64(len(key) + 2048)}
	if agg.JobID != "" {
		e.after = fiber.Map{"jobId": agg.JobID} // the job whose records these totals are of
	}
	s.cache.put(e)
	return s.sendCached(c, e, time.Time{})
}

// brandAndRange reads the brand, then at once the range's state (which may
// queue its first sync: never for a brand that does not exist) and, when
// pages are to be read, whether v's rebuild has its snapshot.
func (s *server) brandAndRange(c *fiber.Ctx, vs versionedStore, r store.Range, v store.ReadVersion, pages bool) (store.Brand, rangeState, bool, error) {
	brand, err := s.deps.Store.GetBrand(c.Context(), r.BrandID)
	if err != nil {
		return brand, rangeState{}, false, err
	}
	var st rangeState
	var snapshot bool
	var stErr, snapErr error
	together(func() { st, stErr = s.readRangeAt(c.Context(), r, v) },
		func() {
			if pages {
				snapshot, snapErr = vs.HasSnapshot(c.Context(), r, v.Rebuild)
			}
		})
	return brand, st, snapshot, errors.Join(stErr, snapErr)
}

// sendCached sends e's answer with the sync state described now; began is
// when a list read began (zero: the answer has no fetchTime).
func (s *server) sendCached(c *fiber.Ctx, e *cachedRead, began time.Time) error {
	resp := make(fiber.Map, len(e.body)+8)
	for k, v := range e.body {
		resp[k] = v
	}
	e.state.describe(resp, time.Now())
	for k, v := range e.after {
		resp[k] = v
	}
	if !began.IsZero() {
		resp["fetchTime"] = time.Since(began).Milliseconds()
	}
	return c.JSON(resp)
}

func (s *server) mediaNow() time.Time {
	if s.deps.MediaNow != nil {
		return s.deps.MediaNow()
	}
	return time.Now()
}

// mediaStaleAt is when the first media URL of a page comes within
// mediaMargin of its expiry (zero: it has none), taking a URL without a
// signed expiry to expire assumedURLLife after its creative was updated:
// no later than the refresher takes it to.
func mediaStaleAt(page []CreativeJSON) time.Time {
	var first time.Time
	for _, cr := range page {
		for _, u := range []string{cr.ThumbnailURL, cr.VideoSourceURL} {
			at := storedURL{URL: u, FetchedAt: cr.LastUpdated}.expiry().ExpiresAt
			if u != "" && (first.IsZero() || at.Before(first)) {
				first = at
			}
		}
	}
	if first.IsZero() {
		return first
	}
	return first.Add(-mediaMargin)
}
