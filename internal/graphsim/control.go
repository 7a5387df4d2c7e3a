package graphsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveControl answers the /_sim/ endpoints, which are not part of the Graph
// API: they need no token, see no faults and count against no limit.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/_sim/")
	if m, ok := strings.CutPrefix(name, "media/"); ok {
		s.serveMedia(w, r, m)
		return
	}
	switch name {
	case "brands":
		writeJSON(w, http.StatusOK, s.Brands())
	case "truth":
		s.serveTruth(w, r)
	case "stats":
		s.mu.Lock()
		body, _ := json.Marshal(s.stats)
		s.mu.Unlock()
		writeRaw(w, http.StatusOK, body)
	case "clock":
		s.serveClock(w, r)
	case "faults":
		s.serveFaults(w, r)
	case "reset":
		if r.Method != http.MethodPost {
			controlError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		s.reset()
		writeJSON(w, http.StatusOK, map[string]string{"now": s.Now().Format(time.RFC3339)})
	default:
		controlError(w, http.StatusNotFound, "unknown control endpoint /_sim/"+name)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		controlError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, status, body)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// serveTruth answers /_sim/truth?brand_id=&since=&until=&creative_type=
// (&breakdowns=age,gender&daily=true for rows by breakdown and day;
// &account_id=act_… for one ad account of the brand). since and until
// default to the last 30 complete days.
func (s *Server) serveTruth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, err := s.truthOf(q.Get("brand_id"), q.Get("account_id"), q.Get("since"), q.Get("until"), q.Get("creative_type"), q.Get("breakdowns"), isTrue(q.Get("daily")))
	switch {
	case errors.Is(err, ErrUnknownBrand):
		controlError(w, http.StatusNotFound, err.Error())
	case err != nil:
		controlError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

// serveClock answers GET /_sim/clock and POST /_sim/clock?advance=6h (or
// ?set=RFC3339). The clock only moves forward: the world is a function of
// time, so going back would rewrite history; use /_sim/reset instead.
func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		q := r.URL.Query()
		var d time.Duration
		switch {
		case q.Get("advance") != "":
			var err error
			if d, err = parseAdvance(q.Get("advance")); err != nil || d < 0 {
				controlError(w, http.StatusBadRequest, "advance must be a positive duration like 90m, 6h or 2d")
				return
			}
		case q.Get("set") != "":
			t, err := time.Parse(time.RFC3339, q.Get("set"))
			if err != nil {
				controlError(w, http.StatusBadRequest, "set must be RFC 3339")
				return
			}
			if d = t.Sub(s.Now()); d < 0 {
				controlError(w, http.StatusBadRequest, "the clock only moves forward; POST /_sim/reset to start over")
				return
			}
		}
		s.mu.Lock()
		s.advanced += d
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": s.Now().Format(time.RFC3339), "start": s.opts.Now.Format(time.RFC3339)})
}

// parseAdvance accepts Go durations plus a day suffix ("2d").
func parseAdvance(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// serveFaults answers GET and PUT /_sim/faults; PUT replaces the whole profile.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		var f Faults
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			controlError(w, http.StatusBadRequest, fmt.Sprintf("fault profile: %v", err))
			return
		}
		s.SetFaults(f)
	}
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, f)
}

// SetFaults replaces the fault profile; requests already running keep the
// faults they drew.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Advance moves the simulated clock forward by d (negative d is ignored).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanced += max(d, 0)
}
