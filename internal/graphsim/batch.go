package graphsim

import (
	"encoding/json"
	"net/url"
	"strings"
)

// batchItem is one entry of the batch parameter.
type batchItem struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
	Name        string `json:"name"`
}

// serveBatch answers POST / with batch=[...]: each item is routed, checked
// and rate-limited as its own call; the answer lists code, headers and body
// per item, as the Graph API does.
func (s *Server) serveBatch(r *request) ([]byte, int, *graphError) {
	var items []batchItem
	if err := json.Unmarshal([]byte(r.q.Get("batch")), &items); err != nil {
		return nil, 0, errParam("The parameter batch must be a JSON array")
	}
	if len(items) > 50 {
		return nil, 0, errParam("Too many requests in batch message. Maximum batch size is 50")
	}
	withHeaders := r.q.Get("include_headers") != "false"
	rows := 0
	var j jw
	j.arr()
	for _, it := range items {
		sub, gerr := s.batchRequest(r, it)
		var resp *response
		if gerr != nil {
			resp = s.fail(gerr)
		} else {
			resp = s.call(sub)
		}
		j.obj()
		j.kint("code", int64(resp.status))
		if withHeaders {
			j.key("headers")
			j.arr()
			hs := []struct{ k, v string }{{"Content-Type", "text/javascript; charset=UTF-8"}}
			for _, k := range []string{"X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-Fb-Ads-Insights-Throttle", "X-App-Usage", "Www-Authenticate"} {
				if v, ok := resp.header[k]; ok {
					hs = append(hs, struct{ k, v string }{k, v})
				}
			}
			for _, h := range hs {
				j.obj()
				j.kstr("name", h.k)
				j.kstr("value", h.v)
				j.endObj()
			}
			j.endArr()
		}
		j.kstr("body", string(resp.body))
		j.endObj()
		if resp.err == nil {
			rows++
		}
	}
	j.endArr()
	return j.b, rows, nil
}

// batchRequest turns an item into a request sharing the outer token, host and clock.
func (s *Server) batchRequest(outer *request, it batchItem) (*request, *graphError) {
	u, err := url.Parse(strings.TrimPrefix(it.RelativeURL, "/"))
	if err != nil || it.RelativeURL == "" {
		return nil, errParam("Each batch item needs a valid relative_url")
	}
	q := u.Query()
	if it.Body != "" {
		body, err := url.ParseQuery(it.Body)
		if err != nil {
			return nil, errParam("Invalid batch item body")
		}
		for k, v := range body {
			q[k] = v
		}
	}
	version, segs := splitPath(u.Path)
	if version == "" {
		version = outer.version
	}
	tok := q.Get("access_token")
	if tok == "" {
		tok = outer.token
	}
	method := strings.ToUpper(it.Method)
	if method == "" {
		method = "GET"
	}
	return &request{method: method, version: version, segs: segs, q: q, token: tok,
		scheme: outer.scheme, host: outer.host, now: outer.now}, nil
}
