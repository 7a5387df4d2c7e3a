package graphsim

import (
	"strconv"
	"strings"
)

// adFilter decides which ads an edge lists.
type adFilter struct {
	statuses     []string // effective statuses allowed; nil means all
	filters      []filter
	updatedSince int64 // updated_since, unix seconds; 0 means any
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
	if f.updatedSince > 0 && updatedOf(tl, a).Unix() < f.updatedSince {
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

// totalCount is an edge's summary for summary=true: how many rows all its
// pages hold. Nil when the request does not ask for it.
func totalCount(r *request, scan scanFunc) func(*jw) {
	if !isTrue(r.q.Get("summary")) {
		return nil
	}
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
	if err := checkNodeFields(fs, "Ad"); err != nil {
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
	return page(r, "ads", limit, scan, totalCount(r, scan))
}

// serveCreatives answers act_{id}/adcreatives: one creative per ad, all
// statuses, newest first.
func (s *Server) serveCreatives(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, defaultCreativeFields)
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "AdCreative"); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	var none adFilter
	scan := s.w.scanAds(r, acct, &none, false, func(j *jw, a *ad, _ []span) { s.w.renderCreative(j, r, a, fs) })
	return page(r, "adcreatives", limit, scan, totalCount(r, scan))
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
