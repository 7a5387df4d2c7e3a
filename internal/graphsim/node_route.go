package graphsim

import (
	"strings"
)

// routeNode routes /{id} and /{id}/insights.
func (s *Server) routeNode(r *request) (route, *graphError) {
	none := route{acct: -1, owner: -1}
	id := r.segs[0]
	if run := s.report(id); run != nil {
		rt := route{acct: run.acct, owner: s.w.accounts[run.acct].brand, use: useInsights,
			denyAs: func() *graphError { return errNoObject(id) }}
		switch {
		case len(r.segs) == 1 && r.method == "GET":
			rt.name, rt.handler = "report_run", func(r *request) ([]byte, int, *graphError) { return s.pollReport(r, run) }
		case len(r.segs) == 2 && r.segs[1] == "insights" && r.method == "GET":
			rt.name, rt.handler = "report_run/insights", func(r *request) ([]byte, int, *graphError) { return s.reportResult(r, run) }
		default:
			return none, errUnknownPath(strings.Join(r.segs[1:], "/"))
		}
		return rt, nil
	}
	o, ok := s.lookupObject(r, id)
	if !ok {
		return none, errNoObject(id)
	}
	rt := route{acct: o.acct, owner: s.w.accounts[o.acct].brand, denyAs: func() *graphError { return errNoObject(id) }}
	switch {
	case len(r.segs) == 1 && r.method == "GET":
		rt.name = "node:" + nodeStatNames[o.kind]
		rt.handler = func(r *request) ([]byte, int, *graphError) {
			var j jw
			if err := s.renderObject(&j, r, o); err != nil {
				return nil, 0, err
			}
			return j.b, 1, nil
		}
	case len(r.segs) == 2 && r.segs[1] == "thumbnails" && r.method == "GET" && o.kind == kindVideo:
		rt.name = "video/thumbnails"
		rt.handler = func(r *request) ([]byte, int, *graphError) { return s.serveThumbnails(r, o) }
	case len(r.segs) == 2 && r.segs[1] == "insights" && r.method == "GET" && o.kind == kindAd:
		rt.name, rt.use = "ad/insights", useInsights
		rt.handler = func(r *request) ([]byte, int, *graphError) { return s.serveInsights(r, o.acct, &o.index) }
	case len(r.segs) == 1:
		return none, errMethod()
	default:
		return none, errUnknownPath(strings.Join(r.segs[1:], "/"))
	}
	return rt, nil
}

// nodeStatNames name GET /{id} calls in /_sim/stats by object kind.
var nodeStatNames = map[objKind]string{kindAd: "ad", kindCreative: "creative", kindVideo: "video", kindAdset: "adset", kindCampaign: "campaign",
	kindCustomConversion: "customconversion", kindCustomAudience: "customaudience", kindUser: "business_user"}

// serveIDs answers /?ids=a,b,c with {"a":{...},...}. Like the real API, one
// unknown id fails the whole call, and more than 50 ids is refused.
func (s *Server) serveIDs(r *request) ([]byte, int, *graphError) {
	ids, err := parseList(r.q.Get("ids"))
	if err != nil {
		return nil, 0, err
	}
	if len(ids) > 50 {
		return nil, 0, errParam("Too many IDs. Maximum: 50. Provided: %d.", len(ids))
	}
	var missing []string
	objs := make([]object, 0, len(ids))
	for _, id := range ids {
		o, ok := s.lookupObject(r, id)
		if !ok || s.w.accounts[o.acct].brand != r.brand {
			missing = append(missing, id)
			continue
		}
		objs = append(objs, o)
	}
	if len(missing) > 0 {
		return nil, 0, &graphError{status: 400, typ: "OAuthException", code: 803,
			message: "(#803) Some of the aliases you requested do not exist: " + strings.Join(missing, ",")}
	}
	var j jw
	j.obj()
	for _, o := range objs {
		j.key(o.id)
		if err := s.renderObject(&j, r, o); err != nil {
			return nil, 0, err
		}
	}
	j.endObj()
	return j.b, len(objs), nil
}
