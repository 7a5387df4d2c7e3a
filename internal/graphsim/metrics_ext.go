package graphsim

// Extended additive counts of a day, indexes into metrics.X. They are
// derived from the day's base counts with the day's own draws, so every sum
// over days or breakdown values stays exact.
const (
	xOutbound     = iota // outbound_click
	xLandingViews        // landing_page_view
	xViewContent         // view_content
	xAddToCart           // add_to_cart
	xCheckout            // initiate_checkout
	xReactions           // post_reaction
	xComments            // comment
	xShares              // post (shares)
	xVideo2s             // 2-second continuous plays
	xVideo6s
	xVideo15s
	xVideo30s
	xVideoP95
	xVideoSeconds // seconds of video watched
	xFullViewImpr
	xProfileVisits
	// Purchases and revenue by attribution window: purchases =
	// c1 + c7 + v1, the default 7-day-click-1-day-view window (clicks the
	// same day, clicks the next six days, views the same day); the 28-day
	// click and the 7- and 28-day view windows add c28, v7 and v28.
	xPurC1
	xPurC7
	xPurV1
	xPurC28
	xPurV7
	xPurV28
	xRevC1
	xRevC7
	xRevV1
	xRevC28
	xRevV7
	xRevV28
	nExt
)

// nWindowParts is how many window parts purchases (and revenue) have.
const nWindowParts = xPurV28 - xPurC1 + 1

// extend fills m.X from m's base counts; r draws the day's ratios.
func (m *metrics) extend(a *ad, r func(uint64) uint64) {
	x := &m.X
	// Ten draws give forty 16-bit uniforms, two per ratio: one picks the
	// ratio in [lo, hi), one rounds at random, so small counts split in the
	// right proportions on average rather than always down.
	var words [10]uint64
	for i := range words {
		words[i] = r(uint64(20 + i))
	}
	lane := func(i int) float64 { return float64(words[i/4]>>(16*(i%4))&0xffff) / 65536 }
	frac := func(n int64, i int, lo, hi float64) int64 {
		return int64(float64(n)*(lo+lane(2*i)*(hi-lo)) + lane(2*i+1))
	}
	x[xOutbound] = frac(m.LinkClicks, 0, 0.88, 0.97)
	x[xLandingViews] = frac(x[xOutbound], 1, 0.6, 0.8)
	x[xViewContent] = frac(x[xLandingViews], 2, 0.7, 0.95)
	x[xAddToCart] = max(m.Purchases, frac(x[xViewContent], 3, 0.05, 0.15))
	x[xCheckout] = m.Purchases + (x[xAddToCart]-m.Purchases)/2
	social := max(0, m.Engagement-m.Clicks)
	x[xReactions] = frac(social, 4, 0.5, 0.7)
	x[xComments] = frac(social, 5, 0.03, 0.07)
	x[xShares] = frac(social, 6, 0.01, 0.04)
	x[xFullViewImpr] = frac(m.Impressions, 7, 0.5, 0.7)
	x[xProfileVisits] = frac(m.Clicks, 8, 0.01, 0.03)
	if m.VideoPlays > 0 {
		x[xVideo2s] = m.Video3s + frac(m.VideoPlays-m.Video3s, 9, 0.3, 0.5)
		x[xVideo6s] = frac(m.Video3s, 10, 0.5, 0.6)
		x[xVideo15s] = frac(x[xVideo6s], 11, 0.45, 0.6)
		x[xVideo30s] = frac(x[xVideo15s], 12, 0.4, 0.55)
		x[xVideoP95] = m.P100 + frac(m.P75-m.P100, 13, 0.2, 0.4)
		x[xVideoSeconds] = int64(float64(m.VideoPlays) * a.videoLen * (0.25 + lane(28)*0.2))
	}
	if p := m.Purchases; p > 0 {
		x[xPurC1] = frac(p, 15, 0.5, 0.65)
		x[xPurC7] = frac(p-x[xPurC1], 16, 0.6, 0.85)
		x[xPurV1] = p - x[xPurC1] - x[xPurC7]
		x[xPurC28] = frac(p, 17, 0.05, 0.15)
		x[xPurV7] = frac(p, 18, 0.05, 0.12)
		x[xPurV28] = frac(p, 19, 0.03, 0.08)
		rev := m.RevenueCents
		for i := range nWindowParts {
			x[xRevC1+i] = rev * x[xPurC1+i] / p
		}
		x[xRevV1] = rev - x[xRevC1] - x[xRevC7]
	}
}

// settle keeps a day's split plausible without changing any sum: cells
// without impressions hand what else they got to the cell with the most,
// purchases and revenue are the sums of their window parts, and cells
// without purchases hand their revenue and window parts to the cell with
// the most purchases. Rounding each count apart would otherwise leave a
// click where nobody saw the ad, or a 28-day purchase without a purchase.
func settle(parts []metrics) {
	most := 0
	for k := range parts {
		if parts[k].Impressions > parts[most].Impressions {
			most = k
		}
	}
	for k := range parts {
		if k != most && parts[k].Impressions == 0 {
			parts[most].add(parts[k])
			parts[k] = metrics{}
		}
	}
	mostP := 0
	for k := range parts {
		m := &parts[k]
		x := &m.X
		m.Purchases = x[xPurC1] + x[xPurC7] + x[xPurV1]
		m.RevenueCents = x[xRevC1] + x[xRevC7] + x[xRevV1]
		if m.Purchases > parts[mostP].Purchases {
			mostP = k
		}
	}
	for k := range parts {
		if m := &parts[k]; k != mostP && m.Purchases == 0 {
			dst := &parts[mostP]
			dst.RevenueCents += m.RevenueCents
			m.RevenueCents = 0
			for i := xPurC1; i < nExt; i++ {
				dst.X[i] += m.X[i]
				m.X[i] = 0
			}
		}
	}
}

// windowParts are the window parts of purchases, or of revenue when money:
// c1, c7, v1, c28, v7, v28.
func (m *metrics) windowParts(money bool) (x [nWindowParts]int64) {
	base := xPurC1
	if money {
		base = xRevC1
	}
	copy(x[:], m.X[base:base+nWindowParts])
	return x
}

// window is an attribution window's count of purchases (revenue when money).
func (m *metrics) window(w string, money bool) (int64, bool) {
	return windowValue(m.windowParts(money), w)
}

// windowValue adds up the parts a window covers; ok is false for windows
// graphsim does not simulate.
func windowValue(x [nWindowParts]int64, w string) (int64, bool) {
	c1, c7, v1, c28, v7, v28 := x[0], x[1], x[2], x[3], x[4], x[5]
	switch w {
	case "1d_click":
		return c1, true
	case "7d_click":
		return c1 + c7, true
	case "28d_click":
		return c1 + c7 + c28, true
	case "1d_view", "1d_ev":
		return v1, true
	case "7d_view":
		return v1 + v7, true
	case "28d_view":
		return v1 + v7 + v28, true
	case "default", "dda":
		return c1 + c7 + v1, true
	}
	return 0, false
}
