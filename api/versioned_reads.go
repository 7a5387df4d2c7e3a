package api

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// Reads at a resolved version: a list or aggregations read first takes the
// range's store.ReadStamp (one lookup, shared with the reads of the range
// waiting at the same time: see versionGate) and answers from the read cache
// when it holds the answer at that stamp. Otherwise it reads the range's
// store.ReadVersion and the brand, then the range's job, the count and page
// from one whole snapshot (store.ReadSnapshotPage) or the rebuild's
// aggregations, and keeps the answer under the stamp taken before when it
// was read from the stamp's rebuild (see cachedRead.rebuild). A range the
// version does not answer alone (a first sync, a live fallback, days to
// derive) goes the general way.

// listVersioned serves a list read at the range's version.
func (s *server) listVersioned(c *fiber.Ctx, vs versionedStore, q store.ListQuery, page int, began time.Time) error {
	ctx := c.Context()
	q.Range, q.SortBy = ownRange(q.Range), strings.Clone(q.SortBy)
	r := q.Range
	stamp, err := s.gate.version(ctx, r)
	if err != nil {
		return err
	}
	key := listKey(q, page)
	if e, ok := s.cache.get("list", key, stamp, s.mediaNow()); ok {
		return s.sendCached(c, e, began)
	}
	// The range's version, brand and state, and the page, at once: the page
	// is thrown away in the rare read they do not let it answer.
	var brand store.Brand
	var v store.ReadVersion
	var st rangeState
	var stErr error
	var p store.SnapshotPage
	rows, hasMore, err := listPage(q, -1, func(q store.ListQuery) ([]store.Creative, error) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if brand, v, stErr = s.brandAndVersion(ctx, vs, r); stErr == nil {
				st, stErr = s.readRangeAt(ctx, r, v)
			}
		}()
		var err error
		p, err = vs.ReadSnapshotPage(ctx, q, 0)
		<-done
		return p.Rows, err
	})
	if stErr != nil {
		return stErr
	}
	if !st.atVersion(r, v) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrSnapshotGone) || (err == nil && p.Snapshot < v.Rebuild) {
		// Not v's snapshot alone, no snapshot of v's rebuild, or one replaced too often.
		return s.listStored(c, brand, st, q, page, listVideoOptions{}, began)
	}
	if err != nil {
		return err
	}
	total := p.Total
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
	body := listAnswer(q, page, total, rows, hasMore, nil)
	delete(body, "creatives") // spliced in as encoded: see sendCached
	e := &cachedRead{key: key, stamp: stamp, rebuild: v.Rebuild, state: st, body: body, creatives: creatives, size: int64(len(key) + len(creatives) + 512)}
	if s.deps.Videos != nil {
		e.staleAt = mediaStaleAt(out)
	}
	s.cache.put(e)
	return s.sendCached(c, e, began)
}

// aggregationsVersioned serves an aggregations read at the range's version.
func (s *server) aggregationsVersioned(c *fiber.Ctx, vs versionedStore, q store.AggregationQuery) error {
	ctx := c.Context()
	q.Range, q.CreativeType, q.AdStatus = ownRange(q.Range), strings.Clone(q.CreativeType), strings.Clone(q.AdStatus)
	stamp, err := s.gate.version(ctx, q.Range)
	if err != nil {
		return err
	}
	key := aggregationKey(q)
	if e, ok := s.cache.get("aggregations", key, stamp, time.Time{}); ok {
		return s.sendCached(c, e, time.Time{})
	}
	_, v, err := s.brandAndVersion(ctx, vs, q.Range)
	if err != nil {
		return err
	}
	st, err := s.readRangeAt(ctx, q.Range, v)
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
	e := &cachedRead{key: key, stamp: stamp, rebuild: agg.RebuildVersion, state: st, body: aggregationAnswer(q, agg, "stored", false), size: int64(len(key) + 2048)}
	if agg.JobID != "" {
		e.after = fiber.Map{"jobId": agg.JobID} // the job whose records these totals are of
	}
	s.cache.put(e)
	return s.sendCached(c, e, time.Time{})
}

// ownRange copies r's strings, which Fiber lends from request buffers it
// reuses: the read cache and the version gate keep them past the request.
// (Filters are decoded from JSON and a cursor from base64: their strings
// are already the query's own.)
func ownRange(r store.Range) store.Range {
	return store.Range{BrandID: strings.Clone(r.BrandID), StartDate: strings.Clone(r.StartDate), EndDate: strings.Clone(r.EndDate)}
}

// brandAndVersion reads the brand and the range's version at once. The
// brand's error comes first: the range's state, read next, may queue its
// first sync, never for a brand that does not exist.
func (s *server) brandAndVersion(ctx context.Context, vs versionedStore, r store.Range) (store.Brand, store.ReadVersion, error) {
	var v store.ReadVersion
	var vErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, vErr = vs.ReadVersion(ctx, r)
	}()
	brand, err := s.deps.Store.GetBrand(ctx, r.BrandID)
	<-done
	if err != nil {
		return brand, v, err
	}
	return brand, v, vErr
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
	if e.creatives == nil {
		return c.JSON(resp)
	}
	// The page's creatives were encoded once, when read; encoding them again
	// (json.RawMessage is compacted on every Marshal) was most of a hit's CPU.
	head, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(head)+len(e.creatives)+16)
	out = append(append(append(append(out, head[:len(head)-1]...), `,"creatives":`...), e.creatives...), '}')
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(out)
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
