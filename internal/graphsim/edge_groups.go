package graphsim

import (
	"strconv"
	"strings"
)

// groupFilter decides which campaigns or ad sets an edge lists.
type groupFilter struct {
	statuses     []string // effective statuses allowed; nil means the default
	filters      []filter
	updatedSince int64 // unix seconds; 0 means any
}

// groupFilterFields are the fields a filtering entry may name, after its
// optional "campaign." or "adset." prefix.
var groupFilterFields = map[objKind][]string{
	kindCampaign: {"id", "name", "effective_status", "configured_status", "updated_time", "created_time", "objective"},
	kindAdset:    {"id", "name", "effective_status", "configured_status", "updated_time", "created_time", "campaign.id", "campaign_id"},
}

func parseGroupFilter(r *request, kind objKind) (groupFilter, *graphError) {
	var f groupFilter
	class, prefix := "Campaign", "campaign."
	if kind == kindAdset {
		class, prefix = "AdSet", "adset."
	}
	allowed := sdkClasses[class].enums["EffectiveStatus"]
	if s := r.q.Get("effective_status"); s != "" {
		l, err := parseList(s)
		if err != nil {
			return f, err
		}
		for _, st := range l {
			if !contains(allowed, st) {
				return f, errParam("param effective_status[] must be one of {%s} - got %s", strings.Join(allowed, ", "), st)
			}
		}
		f.statuses = l
	}
	if s := r.q.Get("updated_since"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return f, errParam("param updated_since must be an integer")
		}
		f.updatedSince = n
	}
	fs, err := parseFiltering(r.q.Get("filtering"))
	if err != nil {
		return f, err
	}
	for _, x := range fs {
		name := strings.TrimPrefix(x.Field, prefix)
		if !contains(groupFilterFields[kind], name) {
			return f, errParam("Filtering field %s is invalid", x.Field)
		}
		x.Field = name
		f.filters = append(f.filters, x)
	}
	return f, nil
}

func (w *world) matchGroup(f *groupFilter, g *group) bool {
	if f.statuses != nil {
		if !contains(f.statuses, g.status) {
			return false
		}
	} else if hiddenByDefault[g.status] && !f.explicitStatus() {
		return false
	}
	if f.updatedSince > 0 && g.updated.Unix() < f.updatedSince {
		return false
	}
	for _, x := range f.filters {
		var ok bool
		switch x.Field {
		case "id":
			ok = x.matchString(g.id(w))
		case "name":
			ok = x.matchString(g.name())
		case "effective_status":
			ok = x.matchString(g.status)
		case "configured_status":
			ok = x.matchString(configuredStatus(g.status))
		case "updated_time":
			ok = x.matchNumber(float64(g.updated.Unix()))
		case "created_time":
			ok = x.matchNumber(float64(g.created.Unix()))
		case "objective":
			ok = x.matchString(w.campaignTraits(g.acct, g.campaignIndex()).objective)
		case "campaign.id", "campaign_id":
			ok = x.matchString(w.objectID(g.acct, g.campaignIndex(), kindCampaign))
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f *groupFilter) explicitStatus() bool {
	if f.statuses != nil {
		return true
	}
	for _, x := range f.filters {
		if x.Field == "effective_status" {
			return true
		}
	}
	return false
}

// serveGroups answers act_{id}/campaigns and act_{id}/adsets: newest first,
// archived and deleted ones only when asked for, as on the ads edge.
func (s *Server) serveGroups(r *request, acct int, kind objKind) ([]byte, int, *graphError) {
	class, edge := "Campaign", "campaigns"
	if kind == kindAdset {
		class, edge = "AdSet", "adsets"
	}
	fs, err := requestFields(r, []field{{name: "id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, class); err != nil {
		return nil, 0, err
	}
	f, err := parseGroupFilter(r, kind)
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	w := s.w
	n := w.groupCount(kind, r.now)
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		i, step := walkStart(int64(n), from, hasFrom, !forward)
		for ; i >= 0 && i < int64(n); i += step {
			g, _ := w.groupAt(acct, int(i), kind, r.now)
			if !w.matchGroup(&f, &g) {
				continue
			}
			if !yield(i, func(j *jw) { w.renderGroup(j, r, &g, fs) }) {
				return
			}
		}
	}
	return page(r, edge, limit, scan, totalCount(r, scan))
}
