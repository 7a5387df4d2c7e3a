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
	return datePreset(r.q.Get("date_preset"), r.now)
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
	case "maximum":
		return dateRange{today - 37*30, today}, nil
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
	return dateRange{}, errParam("param date_preset must be one of {today, yesterday, this_month, last_month, maximum, last_3d, last_7d, last_14d, last_28d, last_30d, last_90d}")
}

// parseIncrement reads time_increment: a day count 1..90 or all_days (0).
func parseIncrement(s string) (int64, *graphError) {
	switch s {
	case "", "all_days":
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 90 {
		return 0, errParam("param time_increment must be an integer between 1 and 90, or all_days")
	}
	return int64(n), nil
}
