package graphsim

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// dateRange is an inclusive range of day numbers.
type dateRange struct{ since, until int64 }

// parseTimeRange reads time_range (JSON or time_range[since]= form) or
// date_preset; the default is last_30d, as on the real API.
func parseTimeRange(r *request) (dateRange, *graphError) {
	tr := r.q.Get("time_range")
	since, until := r.q.Get("time_range[since]"), r.q.Get("time_range[until]")
	if tr != "" {
		var v struct{ Since, Until string }
		if err := json.Unmarshal([]byte(tr), &v); err != nil {
			return dateRange{}, errParam("param time_range must be an object with since and until")
		}
		since, until = v.Since, v.Until
	}
	if since != "" || until != "" {
		return checkedRange(since, until)
	}
	return datePreset(r.q.Get("date_preset"), r.now)
}

// checkedRange reads one since/until pair as the API checks it.
func checkedRange(since, until string) (dateRange, *graphError) {
	s, ok1 := parseDay(since)
	u, ok2 := parseDay(until)
	if !ok1 || !ok2 {
		return dateRange{}, errParam("Must be a date representation in the format YYYY-MM-DD")
	}
	if s > u {
		return dateRange{}, errParam("'since' should not be greater than 'until'")
	}
	if u-s > 37*31 {
		return dateRange{}, errParam("The time range is too large; the maximum is 37 months")
	}
	return dateRange{s, u}, nil
}

func datePreset(p string, now time.Time) (dateRange, *graphError) {
	today := dayNum(now)
	if p == "" {
		p = "last_30d"
	}
	switch p {
	case "today":
		return dateRange{today, today}, nil
	case "yesterday":
		return dateRange{today - 1, today - 1}, nil
	case "maximum", "data_maximum":
		return dateRange{today - 37*30, today}, nil
	case "this_week_mon_today", "this_week_sun_today":
		back := (int64(dayStart(today).Weekday()) + 6) % 7
		if p == "this_week_sun_today" {
			back = int64(dayStart(today).Weekday())
		}
		return dateRange{today - back, today}, nil
	case "last_week_mon_sun", "last_week_sun_sat":
		back := (int64(dayStart(today).Weekday()) + 6) % 7
		if p == "last_week_sun_sat" {
			back = int64(dayStart(today).Weekday())
		}
		return dateRange{today - back - 7, today - back - 1}, nil
	case "this_quarter", "last_quarter":
		t := dayStart(today)
		first := time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		if p == "this_quarter" {
			return dateRange{dayNum(first), today}, nil
		}
		return dateRange{dayNum(first.AddDate(0, -3, 0)), dayNum(first) - 1}, nil
	case "this_year", "last_year":
		t := dayStart(today)
		first := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		if p == "this_year" {
			return dateRange{dayNum(first), today}, nil
		}
		return dateRange{dayNum(first.AddDate(-1, 0, 0)), dayNum(first) - 1}, nil
	case "this_month":
		t := dayStart(today)
		return dateRange{dayNum(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)), today}, nil
	case "last_month":
		t := dayStart(today)
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return dateRange{dayNum(first.AddDate(0, -1, 0)), dayNum(first) - 1}, nil
	}
	if n, ok := strings.CutPrefix(p, "last_"); ok {
		if d, err := strconv.Atoi(strings.TrimSuffix(n, "d")); err == nil && strings.HasSuffix(n, "d") && d > 0 {
			return dateRange{today - int64(d), today - 1}, nil
		}
	}
	return dateRange{}, errParam("param date_preset must be one of {today, yesterday, this_month, last_month, this_quarter, maximum, data_maximum, last_3d, last_7d, last_14d, last_28d, last_30d, last_90d, last_week_mon_sun, last_week_sun_sat, last_quarter, last_year, this_week_mon_today, this_week_sun_today, this_year}")
}

// maxRanges bounds the row periods of one query.
const maxRanges = 37 * 31

// incrementRanges splits rng by time_increment: a day count 1..90,
// "monthly" (calendar months), or all_days (one period, the default).
func incrementRanges(s string, rng dateRange) ([]dateRange, *graphError) {
	switch s {
	case "", "all_days":
		return []dateRange{rng}, nil
	case "monthly":
		var out []dateRange
		for d := rng.since; d <= rng.until; {
			t := dayStart(d)
			next := dayNum(time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC))
			out = append(out, dateRange{d, min(next-1, rng.until)})
			d = next
		}
		return out, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 90 {
		return nil, errParam("param time_increment must be an integer between 1 and 90, monthly or all_days")
	}
	var out []dateRange
	for d := rng.since; d <= rng.until; d += int64(n) {
		out = append(out, dateRange{d, min(d+int64(n)-1, rng.until)})
	}
	return out, nil
}

// parseTimeRanges reads time_ranges, a JSON list of {since, until}: one row
// period each, in the order given.
func parseTimeRanges(s string) ([]dateRange, *graphError) {
	var list []struct{ Since, Until string }
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, errParam("param time_ranges must be a list of objects with since and until")
	}
	if len(list) > maxRanges {
		return nil, errParam("param time_ranges has %d ranges, more than %d", len(list), maxRanges)
	}
	out := make([]dateRange, 0, len(list))
	for _, x := range list {
		rng, err := checkedRange(x.Since, x.Until)
		if err != nil {
			return nil, err
		}
		out = append(out, rng)
	}
	return out, nil
}
