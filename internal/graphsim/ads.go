package graphsim

import (
	"strconv"
	"strings"
)

// adFields is what an ad node can return.
var adFields = map[string]bool{
	"id": true, "name": true, "status": true, "effective_status": true, "configured_status": true,
	"updated_time": true, "created_time": true, "creative": true, "account_id": true,
	"adset_id": true, "campaign_id": true, "adset": true, "campaign": true,
}

var defaultAdFields = []field{{name: "id"}}

// checkFields returns the real "nonexisting field" error for unknown names.
func checkFields(fs []field, known map[string]bool, node string) *graphError {
	for _, f := range fs {
		if !known[f.name] {
			return errParam("Tried accessing nonexisting field (%s) on node type (%s)", f.name, node)
		}
		if f.name == "creative" {
			if err := checkFields(f.sub, creativeFields, "AdCreative"); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderAd writes ad a with its status timeline tl.
func (w *world) renderAd(j *jw, r *request, a *ad, tl []span, fs []field) {
	j.obj()
	j.kstr("id", w.objectID(a.acct, a.index, kindAd))
	for _, f := range fs {
		switch f.name {
		case "name":
			j.kstr("name", a.adName())
		case "status", "configured_status":
			j.kstr(f.name, configuredStatus(statusOf(tl)))
		case "effective_status":
			j.kstr("effective_status", statusOf(tl))
		case "updated_time":
			j.kstr("updated_time", graphTime(updatedOf(tl, a)))
		case "created_time":
			j.kstr("created_time", graphTime(a.created))
		case "account_id":
			j.kstr("account_id", w.accounts[a.acct].num)
		case "adset_id":
			j.kstr("adset_id", w.objectID(a.acct, a.index/adsPerAdset, kindAdset))
		case "campaign_id":
			j.kstr("campaign_id", w.objectID(a.acct, a.index/adsPerCampaign, kindCampaign))
		case "adset":
			j.key("adset")
			j.obj()
			j.kstr("id", w.objectID(a.acct, a.index/adsPerAdset, kindAdset))
			if hasField(f.sub, "name") {
				j.kstr("name", adsetName(a.acct, a.index/adsPerAdset))
			}
			j.endObj()
		case "campaign":
			j.key("campaign")
			j.obj()
			j.kstr("id", w.objectID(a.acct, a.index/adsPerCampaign, kindCampaign))
			if hasField(f.sub, "name") {
				j.kstr("name", campaignName(a.acct, a.index/adsPerCampaign))
			}
			j.endObj()
		case "creative":
			j.key("creative")
			w.renderCreative(j, r, a, f.sub)
		}
	}
	j.endObj()
}

func hasField(fs []field, name string) bool {
	for _, f := range fs {
		if f.name == name {
			return true
		}
	}
	return false
}

// adFilter decides which ads an edge lists.
type adFilter struct {
	statuses []string // effective statuses allowed; nil means all
	filters  []filter
}

var effectiveStatuses = map[string]bool{
	"ACTIVE": true, "PAUSED": true, "DELETED": true, "PENDING_REVIEW": true, "DISAPPROVED": true,
	"PREAPPROVED": true, "PENDING_BILLING_INFO": true, "CAMPAIGN_PAUSED": true, "ARCHIVED": true,
	"ADSET_PAUSED": true, "IN_PROCESS": true, "WITH_ISSUES": true,
}

// hiddenByDefault are the statuses the ads edge leaves out unless asked for,
// as the Marketing API does for archived and deleted objects.
var hiddenByDefault = map[string]bool{"ARCHIVED": true, "DELETED": true}

func parseAdFilter(r *request, prefix string) (adFilter, *graphError) {
	var f adFilter
	if s := r.q.Get("effective_status"); s != "" {
		l, err := parseList(s)
		if err != nil {
			return f, err
		}
		for _, st := range l {
			if !effectiveStatuses[st] {
				return f, errParam("param effective_status[] must be one of {ACTIVE, PAUSED, DELETED, PENDING_REVIEW, DISAPPROVED, PREAPPROVED, PENDING_BILLING_INFO, CAMPAIGN_PAUSED, ARCHIVED, ADSET_PAUSED, IN_PROCESS, WITH_ISSUES} - got %s", st)
			}
		}
		f.statuses = l
	}
	fs, err := parseFiltering(r.q.Get("filtering"))
	if err != nil {
		return f, err
	}
	for _, x := range fs {
		name := strings.TrimPrefix(x.Field, prefix+".")
		switch name {
		case "updated_time", "created_time", "effective_status", "configured_status", "id", "name",
			"adset.id", "campaign.id", "adset_id", "campaign_id":
		default:
			return f, errParam("Filtering field %s is invalid", x.Field)
		}
		x.Field = name
		f.filters = append(f.filters, x)
	}
	return f, nil
}

func (f *adFilter) explicitStatus() bool {
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

// match evaluates the filter; defaultHide applies the edge's default of
// hiding archived and deleted ads.
func (w *world) matchAd(f *adFilter, a *ad, tl []span, defaultHide bool) bool {
	st := statusOf(tl)
	if f.statuses != nil {
		ok := false
		for _, s := range f.statuses {
			ok = ok || s == st
		}
		if !ok {
			return false
		}
	} else if defaultHide && hiddenByDefault[st] && !f.explicitStatus() {
		return false
	}
	for _, x := range f.filters {
		var ok bool
		switch x.Field {
		case "updated_time":
			ok = x.matchNumber(float64(updatedOf(tl, a).Unix()))
		case "created_time":
			ok = x.matchNumber(float64(a.created.Unix()))
		case "effective_status":
			ok = x.matchString(st)
		case "configured_status":
			ok = x.matchString(configuredStatus(st))
		case "id":
			ok = x.matchString(w.objectID(a.acct, a.index, kindAd))
		case "name":
			ok = x.matchString(a.adName())
		case "adset.id", "adset_id":
			ok = x.matchString(w.objectID(a.acct, a.index/adsPerAdset, kindAdset))
		case "campaign.id", "campaign_id":
			ok = x.matchString(w.objectID(a.acct, a.index/adsPerCampaign, kindCampaign))
		}
		if !ok {
			return false
		}
	}
	return true
}

// scanAds walks the account's ads newest first (descending index), the order
// the ads edge uses; a cursor holds the index so new ads never shift pages.
func (w *world) scanAds(r *request, acct int, f *adFilter, defaultHide bool, render func(*jw, *ad, []span)) scanFunc {
	n := w.adCount(r.now)
	return func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		var buf [8]span
		i, step := n-1, -1
		if !forward {
			i, step = 0, 1
		}
		if hasFrom {
			i = int(from) + step
		}
		for ; i >= 0 && i < n; i += step {
			a := w.adAt(acct, i)
			tl := w.timeline(&a, r.now, buf[:0])
			if !w.matchAd(f, &a, tl, defaultHide) {
				continue
			}
			if !yield(int64(i), func(j *jw) { render(j, &a, tl) }) {
				return
			}
		}
	}
}

// countRows counts what a scan yields, for summary=true.
func countRows(scan scanFunc) int64 {
	var n int64
	scan(0, false, true, func(int64, func(*jw)) bool { n++; return true })
	return n
}

func totalCount(scan scanFunc) func(*jw) {
	return func(j *jw) {
		j.obj()
		j.kint("total_count", countRows(scan))
		j.endObj()
	}
}

// serveAds answers act_{id}/ads.
func (s *Server) serveAds(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, defaultAdFields)
	if err != nil {
		return nil, 0, err
	}
	if err := checkFields(fs, adFields, "Adgroup"); err != nil {
		return nil, 0, err
	}
	f, err := parseAdFilter(r, "ad")
	if err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	scan := s.w.scanAds(r, acct, &f, true, func(j *jw, a *ad, tl []span) { s.w.renderAd(j, r, a, tl, fs) })
	return page(r, "ads", limit, scan, totalCount(scan))
}

// serveCreatives answers act_{id}/adcreatives: one creative per ad, all
// statuses, newest first.
func (s *Server) serveCreatives(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, defaultCreativeFields)
	if err != nil {
		return nil, 0, err
	}
	if err := checkFields(fs, creativeFields, "AdCreative"); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	var none adFilter
	scan := s.w.scanAds(r, acct, &none, false, func(j *jw, a *ad, _ []span) { s.w.renderCreative(j, r, a, fs) })
	return page(r, "adcreatives", limit, scan, totalCount(scan))
}

// requestFields parses the fields parameter or returns def.
func requestFields(r *request, def []field) ([]field, *graphError) {
	s := r.q.Get("fields")
	if s == "" {
		return def, nil
	}
	fs, err := parseFields(s)
	if err != nil {
		return nil, err
	}
	return fs, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
