package graphsim

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

// scanGroupInsights yields level=adset and level=campaign rows: the sum of
// the group's ads per time bucket (reach summed across ads, an upper bound
// as real deduplicated reach is unknowable here). Keys pack group and bucket.
func (s *Server) scanGroupInsights(r *request, q *insightsQuery) scanFunc {
	w := s.w
	size := groupSize(q.level)
	n := w.adCount(r.now)
	groups := int64((n + size - 1) / size)
	nb := q.buckets()
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		step, g, first := int64(1), int64(0), int64(0)
		if !forward {
			step, g, first = -1, groups-1, nb-1
		}
		resume, hasResume := int64(0), hasFrom
		if hasFrom {
			g, resume = from>>bucketBits, from&(1<<bucketBits-1)+step
		}
		ads := make([]ad, 0, size)
		tls := make([][]span, 0, size)
		for ; g >= 0 && g < groups; g += step {
			b := first
			if hasResume {
				b, hasResume = resume, false
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
			for ; b >= 0 && b < nb; b += step {
				br := q.bucket(b)
				var sum metrics
				for k := range ads {
					sum.add(adRange(&ads[k], tls[k], br.since, br.until, r.now))
				}
				if !q.keep(&sum) {
					continue
				}
				lead := ads[0]
				if !yield(g<<bucketBits|b, func(j *jw) { s.renderInsight(j, r, q, &lead, br, &sum) }) {
					return
				}
			}
		}
	}
}
