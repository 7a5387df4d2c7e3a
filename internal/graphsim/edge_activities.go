package graphsim

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// The activity log of an account: an ad's creation and each change of its
// run status, read from the same timelines that drive its delivery, newest
// first. since and until (unix seconds or dates) bound it; without them it
// covers the last seven days.

// activityKey packs an event into a sortable cursor key: its minute since
// 2000, the ad and the event's place in the ad's timeline.
func activityKey(at time.Time, index, span int) int64 {
	minute := int64(at.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) / time.Minute)
	return minute<<32 | int64(index)<<5 | int64(span)
}

func splitActivityKey(k int64) (index, span int) { return int(k>>5) & (1<<27 - 1), int(k & 31) }

// maxActivities bounds the events one request sorts; past it the API's
// "reduce the amount of data" answer asks for a shorter since..until.
const maxActivities = 1 << 20

// serveActivities answers act_{id}/activities.
func (s *Server) serveActivities(r *request, acct int) ([]byte, int, *graphError) {
	fs, err := requestFields(r, readableFields("AdActivity"))
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, "AdActivity"); err != nil {
		return nil, 0, err
	}
	since, until := r.now.Add(-7*24*time.Hour), r.now
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := r.q.Get(p.name); v != "" {
			t, ok := parseWhen(v)
			if !ok {
				return nil, 0, errParam("param %s must be a unix time or a date", p.name)
			}
			*p.dst = t
		}
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	w := s.w
	var keys []int64
	var buf [8]span
	for i := range w.adCount(r.now) {
		a := w.adAt(acct, i)
		if a.created.After(until) || a.created.After(r.now) {
			continue
		}
		for k, sp := range w.timeline(&a, r.now, buf[:0]) {
			if !sp.from.Before(since) && !sp.from.After(until) && k < 32 {
				keys = append(keys, activityKey(sp.from, i, k))
			}
		}
		if len(keys) > maxActivities {
			return nil, 0, errReduceData()
		}
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		i, step := 0, 1
		if !forward {
			i, step = len(keys)-1, -1
		}
		if hasFrom {
			// Keys run newest (largest) first: a page after from starts at
			// the first older key, a page before it ends at the last newer.
			if forward {
				i = sort.Search(len(keys), func(x int) bool { return keys[x] < from })
			} else {
				i = sort.Search(len(keys), func(x int) bool { return keys[x] <= from }) - 1
			}
		}
		for ; i >= 0 && i < len(keys); i += step {
			k := keys[i]
			if !yield(k, func(j *jw) { w.renderActivity(j, r, acct, k, fs) }) {
				return
			}
		}
	}
	return page(r, "activities", limit, scan, totalCount(r, scan))
}

// parseWhen reads a unix time or a YYYY-MM-DD date.
func parseWhen(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	if d, ok := parseDay(v); ok {
		return dayStart(d), true
	}
	t, err := time.Parse("2006-01-02T15:04:05-0700", v)
	return t, err == nil
}

func (w *world) renderActivity(j *jw, r *request, acct int, key int64, fs []field) {
	index, k := splitActivityKey(key)
	a := w.adAt(acct, index)
	var buf [8]span
	tl := w.timeline(&a, r.now, buf[:0])
	sp := tl[k]
	created := k == 0
	actor := businessPeople[int(a.key%uint64(len(businessPeople)))]
	gen := genCtx{r: r, seed: a.key ^ uint64(k+1)<<40, created: sp.from}
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "event_time":
			j.kstr(f.name, graphTime(sp.from))
		case "date_time_in_timezone":
			j.kstr(f.name, sp.from.Format("01/02/2006 at 3:04 PM"))
		case "event_type":
			if created {
				j.kstr(f.name, "create_ad")
			} else {
				j.kstr(f.name, "update_ad_run_status")
			}
		case "translated_event_type":
			if created {
				j.kstr(f.name, "Ad created")
			} else {
				j.kstr(f.name, "Ad run status updated")
			}
		case "object_id":
			j.kstr(f.name, w.objectID(acct, index, kindAd))
		case "object_name":
			j.kstr(f.name, a.adName())
		case "object_type":
			j.kstr(f.name, "AD")
		case "actor_id":
			j.kstr(f.name, w.objectID(w.personAccount(w.accounts[acct].brand), int(a.key%uint64(len(businessPeople))), kindUser))
		case "actor_name":
			j.kstr(f.name, actor.first+" "+actor.last)
		case "application_id":
			j.kstr(f.name, "119211728144504")
		case "application_name":
			j.kstr(f.name, "Ads Manager")
		case "extra_data":
			if created {
				j.kstr(f.name, `{"status":"`+sp.status+`"}`)
			} else {
				j.kstr(f.name, `{"old_value":"`+tl[k-1].status+`","new_value":"`+sp.status+`"}`)
			}
		default:
			if t, ok := sdkClasses["AdActivity"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}
