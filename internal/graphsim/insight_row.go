package graphsim

import (
	"strconv"
)

// Insight values are JSON strings, as the Marketing API writes them: money
// with two decimals (appendMoney writes cents so), ratios with six.
func appendMoney(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	return append(b, '.', byte('0'+cents%100/10), byte('0'+cents%10))
}

func ratio(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func count(n int64) string { return strconv.FormatInt(n, 10) }

// action is one entry of an actions-style list before it is written.
type action struct {
	typ string
	n   int64
}

// renderInsight writes one insights row: the requested fields in their
// order, then the dates (the API always closes a row with them) and the
// row's breakdown values. a is the row's ad, nil at account level; cell
// holds the row's value of each breakdown of q.
func (s *Server) renderInsight(j *jw, r *request, q *insightsQuery, a *ad, br dateRange, m *metrics, cell []int) {
	c := insightRow{s: s, r: r, q: q, a: a, br: br, m: m, cell: cell}
	j.obj()
	dates := 0
	for i, f := range q.fields {
		q.writers[i](&c, j, f.name)
		switch f.name {
		case "date_start":
			dates |= 1
		case "date_stop":
			dates |= 2
		}
	}
	if dates&1 == 0 {
		j.kstr("date_start", dateString(br.since))
	}
	if dates&2 == 0 {
		j.kstr("date_stop", dateString(br.until))
	}
	for i, d := range q.dims {
		j.kstr(d.name, d.values[cell[i]])
	}
	j.endObj()
}
