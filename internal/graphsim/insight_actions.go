package graphsim

import (
	"maps"
	"slices"
)

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// actionSplit is one entry an action breakdown makes of an action: its
// values of the action breakdowns and its share of the action.
type actionSplit struct {
	labels []string
	weight float64
}

// actionSplits lists the entries the query's action breakdowns make of an
// action of type typ: one, unlabelled, without action breakdowns.
func (c *insightRow) actionSplits(typ string) []actionSplit {
	out := []actionSplit{{weight: 1}}
	for _, d := range c.q.actionDims {
		vals, share := d.values(c, typ)
		next := make([]actionSplit, 0, len(out)*len(vals))
		for _, s := range out {
			for i, v := range vals {
				next = append(next, actionSplit{labels: append(slices.Clip(s.labels), v), weight: s.weight * share[i]})
			}
		}
		out = next
	}
	return out
}

// Without action breakdowns an entry stays whole.
var (
	noSplit  = []actionSplit{{weight: 1}}
	wholeCum = []int64{splitScale}
)

// listValue reports whether an entry of count n has a value in spec's
// terms (a cost per nothing has none), and writes it under key when j is
// not nil.
func (c *insightRow) listValue(j *jw, key string, spec listSpec, n int64) bool {
	m := c.m
	var den float64
	switch spec.value {
	case asCostPer:
		den = float64(n)
	case asROAS:
		den = float64(m.SpendCents)
	case asCTR, asPerImpr:
		den = float64(m.Impressions)
	default:
		den = 1
	}
	if den == 0 {
		return false
	}
	if j == nil {
		return true
	}
	switch spec.value {
	case asMoney:
		j.kmoney(key, n)
	case asCostPer:
		j.kratio(key, float64(m.SpendCents)/100/den)
	case asROAS:
		j.kratio(key, float64(n)/den)
	case asCTR:
		j.kratio(key, float64(n)*100/den)
	case asPerImpr:
		j.kratio(key, float64(n)/den)
	default:
		j.kcount(key, n)
	}
	return true
}

// writeList writes an actions-style list: an entry per action type with a
// value, split by the query's action breakdowns (whose parts add up to the
// entry exactly), with a key per requested attribution window on purchase
// entries. Zero entries are left out, and the whole list when all are, as
// the API does.
func (c *insightRow) writeList(j *jw, name string, spec listSpec) {
	open := false
	var cumBuf [16]int64
	var entries [16]action
	for _, e := range spec.entries(c.m, entries[:0]) {
		n := e.n
		if spec.unique {
			n = unique(c.m, n)
		}
		if n <= 0 {
			continue
		}
		splits, cum := noSplit, wholeCum
		if len(c.q.actionDims) > 0 {
			splits = c.actionSplits(e.typ)
			weights := make([]float64, len(splits))
			for i, s := range splits {
				weights[i] = s.weight
			}
			cum = cumulative(weights, cumBuf[:0])
		}
		// Purchase entries split part by part of their windows, so an
		// entry's windows add up to its value in every split.
		purchase := isPurchase(e.typ) && !spec.unique && (len(c.q.actionDims) > 0 || len(c.q.windows) > 0)
		var wparts [nWindowParts]int64
		if purchase {
			wparts = c.m.windowParts(spec.value == asMoney || spec.value == asROAS)
		}
		windows := c.q.windows
		if !purchase {
			windows = nil
		}
		for k, s := range splits {
			p := part(n, cum, k)
			var mine [nWindowParts]int64
			if purchase {
				for i, x := range wparts {
					mine[i] = part(x, cum, k)
				}
				p, _ = windowValue(mine, "default")
			}
			if p == 0 || !c.listValue(nil, "", spec, p) {
				continue
			}
			if !open {
				j.key(name)
				j.arr()
				open = true
			}
			j.obj()
			j.kstr("action_type", e.typ)
			for i, d := range c.q.actionDims {
				j.kstr(d.name, s.labels[i])
			}
			c.listValue(j, "value", spec, p)
			for _, w := range windows {
				wn, _ := windowValue(mine, w)
				c.listValue(j, w, spec, wn)
			}
			j.endObj()
		}
	}
	if open {
		j.endArr()
	}
}
