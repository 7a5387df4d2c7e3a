package graphsim

// Splitting counts over breakdown values must keep sums exact: the parts of
// a count always add up to it, so rows of a breakdown sum to the unbroken
// row, day by day and therefore over any range.

// splitScale is the resolution of split weights: 2^20 parts of one.
const splitScale = 1 << 20

// cumulative turns weights into cumulative fractions of splitScale, the
// last exactly splitScale. All-zero weights put everything in the first.
func cumulative(weights []float64, out []int64) []int64 {
	out = out[:0]
	var total float64
	for _, w := range weights {
		total += w
	}
	var acc float64
	for i, w := range weights {
		acc += w
		c := int64(splitScale)
		if total > 0 && i < len(weights)-1 {
			c = int64(acc / total * splitScale)
		}
		if total == 0 && i == 0 {
			c = splitScale
		}
		out = append(out, c)
	}
	return out
}

// part is the k-th share of n under cumulative fractions cum: the parts over
// every k sum to n exactly, and each is within one of n × its weight.
func part(n int64, cum []int64, k int) int64 {
	hi := n * cum[k] / splitScale
	if k == 0 {
		return hi
	}
	return hi - n*cum[k-1]/splitScale
}

// splitMetrics adds the k-th share of every value of m to dst[k], which
// must be zero, and settles them (see settle).
func splitMetrics(m *metrics, cum []int64, dst []metrics) {
	src := m.vals()
	for k := range dst {
		d := dst[k].vals()
		for i, p := range src {
			if *p != 0 {
				*d[i] += part(*p, cum, k)
			}
		}
	}
	settle(dst)
}
