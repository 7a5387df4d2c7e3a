package graphsim

// rowYield receives one insights row: its cursor key, its ad (the first of
// its group; nil at account level), period, metrics and breakdown cell. The
// pointers are valid during the call only.
type rowYield func(key int64, a *ad, br dateRange, m *metrics, cell []int) bool

// rowScan walks a query's rows like a scanFunc walks an edge's.
type rowScan func(from int64, hasFrom, forward bool, yield rowYield)

// rendered turns a row scan into the scan paging writes.
func (s *Server) rendered(r *request, q *insightsQuery, rows rowScan) scanFunc {
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		rows(from, hasFrom, forward, func(key int64, a *ad, br dateRange, m *metrics, cell []int) bool {
			return yield(key, func(j *jw) { s.renderInsight(j, r, q, a, br, m, cell) })
		})
	}
}

// rowScan is q's rows in ad (or group) order, then period, then cell; a
// row's key packs ad and slot so a cursor survives the clock moving.
func (s *Server) rowScan(r *request, q *insightsQuery) rowScan {
	switch q.level {
	case "account":
		return s.scanAccountRows(r, q)
	case "adset", "campaign":
		return s.scanGroupRows(r, q)
	}
	return s.scanAdRows(r, q)
}

// walk visits slots from a resume point: first (or the one after from when
// hasFrom) to the end in the scan's direction.
func walkStart(n, from int64, hasFrom, forward bool) (start, step int64) {
	start, step = 0, 1
	if !forward {
		start, step = n-1, -1
	}
	if hasFrom {
		start = from + step
	}
	return start, step
}

func (s *Server) scanAdRows(r *request, q *insightsQuery) rowScan {
	w := s.w
	lo, hi := q.adIndexes(w.adCount(r.now))
	periodStart, periodEnd := q.period(r.now)
	ns := q.slots()
	return func(from int64, hasFrom, forward bool, yield rowYield) {
		var buf [8]span
		var cells []metrics
		i, step := int64(lo), int64(1)
		first := int64(0)
		if !forward {
			i, step, first = int64(hi), -1, ns-1
		}
		resume, hasResume := int64(0), hasFrom
		if hasFrom {
			i, resume = splitInsightKey(from)
			resume += step
		}
		for ; i >= int64(lo) && i <= int64(hi); i += step {
			slot := first
			if hasResume {
				slot, hasResume = resume, false
			}
			a := w.adAt(q.account, int(i))
			tl := w.timeline(&a, r.now, buf[:0])
			if !s.listed(q, &a, tl, periodStart, periodEnd) {
				continue
			}
			period := -1
			for ; slot >= 0 && slot < ns; slot += step {
				p, c := q.slot(slot)
				if p != period {
					cells, period = s.adCells(q, &a, tl, q.ranges[p], r.now, cells), p
				}
				if !q.keep(&cells[c]) {
					continue
				}
				if !yield(insightKey(int(i), slot), &a, q.ranges[p], &cells[c], q.cells[c]) {
					return
				}
			}
		}
	}
}

// groupSize is how many consecutive ads form one row at a level.
func groupSize(level string) int {
	switch level {
	case "adset":
		return adsPerAdset
	case "campaign":
		return adsPerCampaign
	}
	return 1
}

// scanGroupRows yields level=adset and level=campaign rows: the sum of the
// group's ads per period and cell (reach summed across ads, an upper bound
// as real deduplicated reach is unknowable here). Keys pack group and slot.
func (s *Server) scanGroupRows(r *request, q *insightsQuery) rowScan {
	w := s.w
	size := groupSize(q.level)
	n := w.adCount(r.now)
	groups := int64((n + size - 1) / size)
	ns := q.slots()
	return func(from int64, hasFrom, forward bool, yield rowYield) {
		g, step, first := int64(0), int64(1), int64(0)
		if !forward {
			g, step, first = groups-1, -1, ns-1
		}
		resume, hasResume := int64(0), hasFrom
		if hasFrom {
			g, resume = from>>bucketBits, from&(1<<bucketBits-1)+step
		}
		ads := make([]ad, 0, size)
		tls := make([][]span, 0, size)
		var cells, sum []metrics
		for ; g >= 0 && g < groups; g += step {
			slot := first
			if hasResume {
				slot, hasResume = resume, false
			}
			ads, tls = ads[:0], tls[:0]
			for i := int(g) * size; i < min(int(g+1)*size, n); i++ {
				a := w.adAt(q.account, i)
				tl := w.timeline(&a, r.now, nil)
				if w.matchAd(&q.filter, &a, tl, false) {
					ads, tls = append(ads, a), append(tls, tl)
				}
			}
			if len(ads) == 0 {
				continue
			}
			period := -1
			for ; slot >= 0 && slot < ns; slot += step {
				p, c := q.slot(slot)
				if p != period {
					sum, period = sumCells(sum, len(q.cells)), p
					for k := range ads {
						cells = s.adCells(q, &ads[k], tls[k], q.ranges[p], r.now, cells)
						addCells(sum, cells)
					}
				}
				if !q.keep(&sum[c]) {
					continue
				}
				if !yield(g<<bucketBits|slot, &ads[0], q.ranges[p], &sum[c], q.cells[c]) {
					return
				}
			}
		}
	}
}

// scanAccountRows yields one row per period and cell summing every ad.
func (s *Server) scanAccountRows(r *request, q *insightsQuery) rowScan {
	w := s.w
	n := w.adCount(r.now)
	return func(from int64, hasFrom, forward bool, yield rowYield) {
		var buf [8]span
		var cells, sum []metrics
		period := -1
		slot, step := walkStart(q.slots(), from, hasFrom, forward)
		for ; slot >= 0 && slot < q.slots(); slot += step {
			p, c := q.slot(slot)
			if p != period {
				sum, period = sumCells(sum, len(q.cells)), p
				for i := 0; i < n; i++ {
					a := w.adAt(q.account, i)
					tl := w.timeline(&a, r.now, buf[:0])
					if w.matchAd(&q.filter, &a, tl, false) {
						cells = s.adCells(q, &a, tl, q.ranges[p], r.now, cells)
						addCells(sum, cells)
					}
				}
			}
			if !q.keep(&sum[c]) {
				continue
			}
			if !yield(slot, nil, q.ranges[p], &sum[c], q.cells[c]) {
				return
			}
		}
	}
}

// sumCells is dst emptied and sized for n cells.
func sumCells(dst []metrics, n int) []metrics {
	if cap(dst) < n {
		return make([]metrics, n)
	}
	dst = dst[:n]
	clear(dst)
	return dst
}

func addCells(dst, src []metrics) {
	for k := range dst {
		dst[k].add(src[k])
	}
}

// renderSummary writes the summary row: q's summary fields over the sum of
// every row the query answers, whatever the page.
func (s *Server) renderSummary(j *jw, r *request, q *insightsQuery) {
	var total metrics
	s.rowScan(r, q)(0, false, true, func(_ int64, _ *ad, _ dateRange, m *metrics, _ []int) bool {
		total.add(*m)
		return true
	})
	sq := *q
	sq.fields, sq.writers, sq.dims, sq.level, sq.depth = q.summary, writersFor(q.summary), nil, "account", 0
	s.renderInsight(j, r, &sq, nil, q.rng, &total, nil)
}
