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
	// c1 + c7 + v1, the default 7-day-click-1-day-view window; the 28-day
	// click and the 7- and 28-day view windows add the rest.
	xPurC1
	xPurC7
	xPurC28
	xPurV7
	xPurV28
	xRevC1
	xRevC7
	xRevC28
	xRevV7
	xRevV28
	nExt
)

// extend fills m.X from m's base counts; r draws the day's ratios.
func (m *metrics) extend(a *ad, r func(uint64) uint64) {
	x := &m.X
	frac := func(n int64, i uint64, lo, hi float64) int64 { return int64(float64(n) * between(r(i), lo, hi)) }
	x[xOutbound] = frac(m.LinkClicks, 20, 0.88, 0.97)
	x[xLandingViews] = frac(x[xOutbound], 21, 0.6, 0.8)
	x[xViewContent] = frac(x[xLandingViews], 22, 0.7, 0.95)
	x[xAddToCart] = max(m.Purchases, frac(x[xViewContent], 23, 0.05, 0.15))
	x[xCheckout] = m.Purchases + (x[xAddToCart]-m.Purchases)/2
	social := max(0, m.Engagement-m.Clicks)
	x[xReactions] = frac(social, 24, 0.5, 0.7)
	x[xComments] = frac(social, 25, 0.03, 0.07)
	x[xShares] = frac(social, 26, 0.01, 0.04)
	x[xFullViewImpr] = frac(m.Impressions, 27, 0.5, 0.7)
	x[xProfileVisits] = frac(m.Clicks, 28, 0.01, 0.03)
	if m.VideoPlays > 0 {
		x[xVideo2s] = m.Video3s + frac(m.VideoPlays-m.Video3s, 29, 0.3, 0.5)
		x[xVideo6s] = frac(m.Video3s, 30, 0.5, 0.6)
		x[xVideo15s] = frac(x[xVideo6s], 31, 0.45, 0.6)
		x[xVideo30s] = frac(x[xVideo15s], 32, 0.4, 0.55)
		x[xVideoP95] = m.P100 + frac(m.P75-m.P100, 33, 0.2, 0.4)
		x[xVideoSeconds] = int64(float64(m.VideoPlays) * a.videoLen * between(r(34), 0.25, 0.45))
	}
	if p := m.Purchases; p > 0 {
		x[xPurC1] = frac(p, 35, 0.5, 0.65)
		x[xPurC7] = frac(p-x[xPurC1], 36, 0.6, 0.85)
		x[xPurC28] = frac(p, 37, 0.05, 0.15)
		x[xPurV7] = frac(p, 38, 0.05, 0.12)
		x[xPurV28] = frac(p, 39, 0.03, 0.08)
		rev := m.RevenueCents
		for i, c := range []int{xPurC1, xPurC7, xPurC28, xPurV7, xPurV28} {
			x[xRevC1+i] = rev * x[c] / p
		}
	}
}

// window is an attribution window's count of purchases (revenue when money).
func (m *metrics) window(w string, money bool) (int64, bool) {
	base, total := xPurC1, m.Purchases
	if money {
		base, total = xRevC1, m.RevenueCents
	}
	c1, c7, c28, v7, v28 := m.X[base], m.X[base+1], m.X[base+2], m.X[base+3], m.X[base+4]
	v1 := total - c1 - c7
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
		return total, true
	}
	return 0, false
}
