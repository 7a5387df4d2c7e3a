package graphsim

import (
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
)

// A cursor is base64 of "<edge>:<key>": opaque to clients like the real ones,
// and it names the row itself, not an offset, so rows appearing or changing
// between pages never shift what the next page returns.
func encodeCursor(edge string, key int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(edge + ":" + strconv.FormatInt(key, 10)))
}

func decodeCursor(edge, c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(c, "="))
	if err != nil {
		return 0, false
	}
	s, ok := strings.CutPrefix(string(b), edge+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// scanFunc walks an edge's rows in response order (forward) or in reverse,
// starting after key from (or at the beginning/end when hasFrom is false),
// calling yield for each row until yield returns false. render writes the row.
type scanFunc func(from int64, hasFrom, forward bool, yield func(key int64, render func(*jw)) bool)

// limit reads the limit parameter: default 25, and code 1 above max.
func pageLimit(r *request, max int) (int, *graphError) {
	s := r.q.Get("limit")
	if s == "" {
		return 25, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errParam("Param limit must be a non-negative integer")
	}
	if n > max {
		return 0, errReduceData()
	}
	if n == 0 {
		return 25, nil
	}
	return n, nil
}

// pageBuffers recycles page bodies once ServeHTTP has written them: a
// 500-row page is most of a megabyte, and zeroing a fresh one every call
// costs more than filling it.
var pageBuffers sync.Pool

// pageBuffer is an empty buffer for a page of limit rows: rows run from a
// few hundred bytes to a few kilobytes, and starting near the page's size
// saves most of the copying growth would do.
func pageBuffer(limit int) []byte {
	want := min(max(64<<10, limit*1024), 1<<20)
	if b, ok := pageBuffers.Get().(*[]byte); ok && cap(*b) >= want {
		return (*b)[:0]
	}
	return make([]byte, 0, want)
}

// recycle hands a written body back for the next page; bodies that did not
// come from pageBuffer are merely dropped later by the pool.
func recycle(body []byte) {
	if cap(body) >= 64<<10 && cap(body) <= 16<<20 {
		pageBuffers.Put(&body)
	}
}

// page renders one page of an edge exactly as the Graph API shapes it.
// summary, when not nil, writes the summary object after the paging.
func page(r *request, edge string, limit int, scan scanFunc, summary func(*jw)) ([]byte, int, *graphError) {
	var from int64
	hasFrom, forward := false, true
	if c := r.q.Get("after"); c != "" {
		k, ok := decodeCursor(edge, c)
		if !ok {
			return nil, 0, errParam("Invalid cursor")
		}
		from, hasFrom = k, true
	} else if c := r.q.Get("before"); c != "" {
		k, ok := decodeCursor(edge, c)
		if !ok {
			return nil, 0, errParam("Invalid cursor")
		}
		from, hasFrom, forward = k, true, false
	}
	// Forward pages render straight into the answer; backward pages collect
	// rows first because they arrive in reverse.
	var j, row jw
	j.b = pageBuffer(limit)
	j.obj()
	j.key("data")
	j.arr()
	var (
		spans [][2]int
		keys  []int64
		more  bool
	)
	scan(from, hasFrom, forward, func(key int64, render func(*jw)) bool {
		if len(keys) == limit {
			more = true
			return false
		}
		keys = append(keys, key)
		if forward {
			render(&j)
			return true
		}
		start := len(row.b)
		render(&row)
		row.comma = row.comma[:0]
		spans = append(spans, [2]int{start, len(row.b)})
		return true
	})
	if !forward {
		for i, k := 0, len(keys)-1; i < k; i, k = i+1, k-1 {
			keys[i], keys[k] = keys[k], keys[i]
			spans[i], spans[k] = spans[k], spans[i]
		}
		for _, s := range spans {
			j.raw(row.b[s[0]:s[1]])
		}
	}
	j.endArr()
	if len(keys) > 0 {
		before, after := encodeCursor(edge, keys[0]), encodeCursor(edge, keys[len(keys)-1])
		j.key("paging")
		j.obj()
		j.key("cursors")
		j.obj()
		j.kstr("before", before)
		j.kstr("after", after)
		j.endObj()
		hasPrev, hasNext := hasFrom, more
		if !forward {
			hasPrev, hasNext = more, true
		}
		if hasPrev {
			j.kstr("previous", r.pageURL("before", before))
		}
		if hasNext {
			j.kstr("next", r.pageURL("after", after))
		}
		j.endObj()
	}
	if summary != nil {
		j.key("summary")
		summary(&j)
	}
	j.endObj()
	return j.b, len(keys), nil
}

// isTrue reads a boolean parameter the way the Graph API does, and accepts a
// summary field list (summary=total_count) as true.
func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "", "false", "0":
		return false
	}
	return true
}
