package graphsim

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// maxSortedRows bounds one sorted result (16 bytes a row, so 32 MiB): 100k
// ads over 20 daily buckets fit. Above it graphsim answers code 1, the
// API's "reduce the amount of data", rather than hold more in memory.
const maxSortedRows = 1 << 21

// sortedScan answers a sorted level=ad query. Sorting needs every row's
// value, so the first page values every ad in the range; the order is then
// cached per (account, query, clock) and later pages only render their rows.
// A cursor names a row, as in ad order: the next page starts right after
// where that row stands in the order, so paging a result at a fixed clock
// (and an async report, whose clock is its creation time) neither loses nor
// repeats a row.
func (s *Server) sortedScan(r *request, q *insightsQuery) (scanFunc, *graphError) {
	lo, hi := q.adIndexes(s.w.adCount(r.now))
	if int64(hi-lo+1)*q.slots() > maxSortedRows {
		return nil, errReduceData()
	}
	rows := s.sorts.order(sortKey(r, q), func() []sortedRow { return s.sortRows(r, q, lo, hi) })
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		var buf [8]span
		i, step := 0, 1
		if !forward {
			i, step = len(rows)-1, -1
		}
		if hasFrom {
			at := sortedRow{key: from, val: q.sort.value(&metrics{})}
			if _, _, m, _, ok := s.insightRow(r, q, from, buf[:0]); ok {
				at.val = q.sort.value(&m)
			}
			if forward {
				i = sort.Search(len(rows), func(k int) bool { return q.sort.before(at, rows[k]) })
			} else {
				i = sort.Search(len(rows), func(k int) bool { return !q.sort.before(rows[k], at) }) - 1
			}
		}
		for ; i >= 0 && i < len(rows); i += step {
			a, br, m, cell, _ := s.insightRow(r, q, rows[i].key, buf[:0])
			if !yield(rows[i].key, func(j *jw) { s.renderInsight(j, r, q, &a, br, &m, cell) }) {
				return
			}
		}
	}, nil
}

// sortKey identifies a sorted order: everything that decides which rows
// exist and what they are worth.
func sortKey(r *request, q *insightsQuery) string {
	only := -1
	if q.onlyAd != nil {
		only = *q.onlyAd
	}
	return fmt.Sprintf("%d/%d/%d-%d/%d/%s/%s/%s/%d", q.account, only, q.rng.since, q.rng.until, len(q.ranges), q.shape, q.filtering, q.sort, r.now.UnixNano())
}

// sortRows values the rows of ads lo..hi and sorts them. The ads are split
// over the cores; it returns once every worker has.
func (s *Server) sortRows(r *request, q *insightsQuery, lo, hi int) []sortedRow {
	n := hi - lo + 1
	if n <= 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), (n+999)/1000)
	size := (n + workers - 1) / workers
	parts := make([][]sortedRow, workers)
	var wg sync.WaitGroup
	for k := range parts {
		wg.Go(func() { parts[k] = s.valueRows(r, q, lo+k*size, min(lo+(k+1)*size, hi+1)) })
	}
	wg.Wait()
	rows := slices.Concat(parts...)
	slices.SortFunc(rows, q.sort.cmp)
	return rows
}

// valueRows lists the rows of ads [lo, hi) with their sort values: the rows
// scanInsights would yield for the same ads.
func (s *Server) valueRows(r *request, q *insightsQuery, lo, hi int) []sortedRow {
	var out []sortedRow
	var buf [8]span
	var cells []metrics
	// Sort values and keep filters read base counts only; breakdowns
	// need the extended ones to split.
	vq := *q
	vq.ext = len(q.dims) > 0
	start, end := q.period(r.now)
	for i := lo; i < hi; i++ {
		a := s.w.adAt(q.account, i)
		tl := s.w.timeline(&a, r.now, buf[:0])
		if !s.listed(q, &a, tl, start, end) {
			continue
		}
		for p, br := range q.ranges {
			cells = s.adCells(&vq, &a, tl, br, r.now, cells)
			for c := range cells {
				if q.keep(&cells[c]) {
					out = append(out, sortedRow{key: insightKey(i, int64(p*len(q.cells)+c)), val: q.sort.value(&cells[c])})
				}
			}
		}
	}
	return out
}

// insightRow derives the row with key k; ok is false for a key naming no
// ad or slot of q (a cursor from elsewhere).
func (s *Server) insightRow(r *request, q *insightsQuery, k int64, buf []span) (a ad, br dateRange, m metrics, cell []int, ok bool) {
	i, slot := splitInsightKey(k)
	if i < 0 || i >= int64(s.w.adCount(r.now)) || slot >= q.slots() {
		return a, br, m, nil, false
	}
	a = s.w.adAt(q.account, int(i))
	tl := s.w.timeline(&a, r.now, buf)
	p, c := q.slot(slot)
	br = q.ranges[p]
	return a, br, s.adCells(q, &a, tl, br, r.now, nil)[c], q.cells[c], true
}
