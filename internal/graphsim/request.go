package graphsim

import (
	"net/url"
	"strings"
	"time"
)

// request is one Graph call after routing decisions common to plain calls and
// batch items: version stripped, token resolved, clock read once.
type request struct {
	method  string
	version string   // "v21.0" as requested, or Options.Version when unversioned
	segs    []string // path segments after the version
	q       url.Values
	token   string
	brand   int
	scheme  string
	host    string
	now     time.Time
}

// splitPath removes the leading version segment, if any.
func splitPath(p string) (version string, segs []string) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	segs = strings.Split(p, "/")
	if isVersion(segs[0]) {
		return segs[0], segs[1:]
	}
	return "", segs
}

// isVersion reports whether s looks like vNN.N.
func isVersion(s string) bool {
	if len(s) < 4 || s[0] != 'v' {
		return false
	}
	dot := false
	for _, c := range s[1:] {
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return dot && s[len(s)-1] != '.' && s[1] != '.'
}

// base is the absolute URL prefix of graphsim as the client reached it.
func (r *request) base() string { return r.scheme + "://" + r.host }

// pageURL rebuilds the request URL with a cursor, the way paging.next and
// paging.previous carry every original parameter including the token.
func (r *request) pageURL(cursorKey, cursor string) string {
	q := url.Values{}
	for k, v := range r.q {
		if k == "after" || k == "before" || k == "batch" {
			continue
		}
		q[k] = v
	}
	if q.Get("access_token") == "" && r.token != "" {
		q.Set("access_token", r.token)
	}
	q.Set(cursorKey, cursor)
	return r.base() + "/" + r.version + "/" + strings.Join(r.segs, "/") + "?" + q.Encode()
}
