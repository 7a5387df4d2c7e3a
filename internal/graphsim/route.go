package graphsim

import (
	"strings"
	"time"
)

// handler serves one routed Graph call and says how many rows it returned.
type handler func(r *request) ([]byte, int, *graphError)

// route is the outcome of reading a path: which handler, which account the
// call counts against (-1 for none) and which usage bucket.
type route struct {
	name    string
	acct    int
	use     usageType
	handler handler
	owner   int // brand owning the object; -1 when the handler checks itself
	denyAs  func() *graphError
}

// call authenticates, routes, rate-limits and serves one Graph call. Batch
// items come through here too, so each item counts like a separate call, as
// on the real API.
func (s *Server) call(r *request) *response {
	b, ok := s.w.byToken[r.token]
	if !ok {
		return s.fail(errInvalidToken())
	}
	if s.tokenExpired(b) {
		return s.fail(errExpiredToken(graphTime(r.now.Add(-time.Hour))))
	}
	r.brand = b
	rt, gerr := s.route(r)
	if gerr != nil {
		return s.fail(gerr)
	}
	if rt.acct >= 0 {
		if rt.owner >= 0 && rt.owner != r.brand {
			return s.fail(rt.denyAs())
		}
		if e := s.permissionDenied(rt.acct); e != nil {
			return s.fail(e)
		}
	}
	var headers map[string]string
	if rt.acct >= 0 {
		now := s.rateNow()
		key := usageKey{rt.acct, rt.use}
		s.mu.Lock()
		blocked := s.throttled(key, now)
		headers = s.usageHeaders(rt.acct, now)
		s.mu.Unlock()
		if blocked {
			e := errThrottleManagement()
			if rt.use == useInsights {
				e = errThrottleInsights()
			}
			resp := s.fail(e)
			for k, v := range headers {
				resp.header[k] = v
			}
			return resp
		}
	}
	body, rows, gerr := rt.handler(r)
	if gerr != nil {
		return s.fail(gerr)
	}
	s.countCall(rt.name, rt.acct, rows)
	if rt.acct >= 0 {
		now := s.rateNow()
		s.mu.Lock()
		s.charge(usageKey{rt.acct, rt.use}, 1+float64(rows)*s.opts.RowCost, now)
		headers = s.usageHeaders(rt.acct, now)
		s.mu.Unlock()
	}
	return &response{status: 200, body: body, header: headers}
}

func (s *Server) fail(e *graphError) *response {
	resp := s.errResp(e)
	s.countError(resp)
	return resp
}

// route maps the path to a handler.
func (s *Server) route(r *request) (route, *graphError) {
	none := route{acct: -1, owner: -1}
	segs := r.segs
	get := r.method == "GET" || r.method == "HEAD"
	switch {
	case len(segs) == 0:
		if r.method == "POST" && r.q.Get("batch") != "" {
			none.name, none.handler = "batch", s.serveBatch
			return none, nil
		}
		if get && r.q.Get("ids") != "" {
			none.name, none.handler = "ids", s.serveIDs
			// The lookup counts against the account of its first object;
			// ownership is checked per id by the handler.
			if ids, err := parseList(r.q.Get("ids")); err == nil && len(ids) > 0 {
				if o, ok := s.lookupObject(r, ids[0]); ok && s.w.accounts[o.acct].brand == r.brand {
					none.acct = o.acct
				}
			}
			return none, nil
		}
		return none, errParam("Unsupported get request.")
	case segs[0] == "me":
		if len(segs) == 1 && get {
			none.name, none.handler = "me", s.serveMe
			return none, nil
		}
		if len(segs) == 2 && segs[1] == "adaccounts" && get {
			none.name, none.handler = "me/adaccounts", s.serveMyAccounts
			return none, nil
		}
		if len(segs) == 2 && segs[1] == "business_users" && get {
			none.name, none.handler = "me/business_users", s.serveBusinessUsers
			return none, nil
		}
		return none, errUnknownPath(strings.Join(segs[1:], "/"))
	case strings.HasPrefix(segs[0], "act_"):
		return s.routeAccount(r)
	}
	return s.routeNode(r)
}

// accountEdges are the GET edges of an ad account.
var accountEdges = map[string]func(s *Server, r *request, g int) ([]byte, int, *graphError){
	"":            (*Server).serveAccount,
	"ads":         (*Server).serveAds,
	"adcreatives": (*Server).serveCreatives,
	"campaigns": func(s *Server, r *request, g int) ([]byte, int, *graphError) {
		return s.serveGroups(r, g, kindCampaign)
	},
	"adsets":            func(s *Server, r *request, g int) ([]byte, int, *graphError) { return s.serveGroups(r, g, kindAdset) },
	"advideos":          (*Server).serveAdVideos,
	"adimages":          (*Server).serveAdImages,
	"customconversions": (*Server).serveCustomConversions,
	"customaudiences":   (*Server).serveCustomAudiences,
	"activities":        (*Server).serveActivities,
	"assigned_users":    (*Server).serveAssignedUsers,
}

// routeAccount routes act_{id} and its edges.
func (s *Server) routeAccount(r *request) (route, *graphError) {
	none := route{acct: -1, owner: -1}
	segs := r.segs
	get := r.method == "GET" || r.method == "HEAD"
	g, ok := s.w.lookupAccount(segs[0])
	if !ok {
		return none, errNoObject(segs[0])
	}
	rt := route{acct: g, owner: s.w.accounts[g].brand, denyAs: func() *graphError { return errPermission(200) }}
	edge := ""
	if len(segs) > 1 {
		edge = segs[1]
	}
	serve, known := accountEdges[edge]
	switch {
	case len(segs) > 2:
		return none, errUnknownPath(strings.Join(segs[2:], "/"))
	case edge == "insights" && get:
		rt.name, rt.use = "act/insights", useInsights
		rt.handler = func(r *request) ([]byte, int, *graphError) { return s.serveInsights(r, g, nil) }
	case edge == "insights" && r.method == "POST":
		rt.name, rt.use = "act/insights:async", useInsights
		rt.handler = func(r *request) ([]byte, int, *graphError) { return s.startReport(r, g) }
	case known && get:
		rt.name = "act"
		if edge != "" {
			rt.name += "/" + edge
		}
		rt.handler = func(r *request) ([]byte, int, *graphError) { return serve(s, r, g) }
	case known || edge == "insights":
		return none, errMethod()
	default:
		return none, errUnknownPath(edge)
	}
	return rt, nil
}
