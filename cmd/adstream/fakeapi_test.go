package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI implements the REST API's sync contract as the CLI sees it: POST
// .../sync|refresh/{brand} answers a job, the n-th connection to
// .../sync/events/{brand} plays streams[n] (503 past the last), and
// the n-th call of .../sync/status/{brand} answers statuses[n] (the last
// one past the end, 404 when there is none).
type fakeAPI struct {
	key      string // the API key every request must carry; empty: none
	job      string // the job id POST answers
	message  string // POST's message; empty: "Creative sync job queued"
	streams  [][]step
	statuses []step

	mu          sync.Mutex
	eventConns  int
	statusCalls int
	requests    []string // "METHOD path?query" of each request
	auth        []string // the Authorization header of each request
}

// step is one thing an event stream does: wait, then send a progress event
// (or a heartbeat comment), or cut the connection.
type step struct {
	wait      time.Duration
	st        map[string]any
	eta       time.Duration // > 0: estimatedCompletion is this far ahead when sent
	heartbeat bool
	cut       bool
}

const fakeTotalAds = 10000

// progressEvent is a status of job at pct percent.
func progressEvent(job, status string, pct int) step {
	st := map[string]any{
		"success": true, "jobId": job, "kind": "FULL", "status": status,
		"progress":  map[string]any{"totalAds": fakeTotalAds, "processedAds": fakeTotalAds * pct / 100, "percentage": pct},
		"createdAt": "2026-11-28T10:00:00Z", "updatedAt": "2026-11-28T10:00:30Z",
	}
	s := step{wait: 5 * time.Millisecond, st: st}
	switch status {
	case statusProcessing:
		st["startedAt"] = "2026-11-28T10:00:01Z"
		s.eta = 12 * time.Second
	case statusCompleted, statusFailed:
		st["startedAt"], st["completedAt"] = "2026-11-28T10:00:01Z", "2026-11-28T10:01:05Z"
	}
	return s
}

func failedEvent(job string, pct int, code, msg string) step {
	s := progressEvent(job, statusFailed, pct)
	s.st["error"] = map[string]any{"code": code, "message": msg}
	return s
}

// start serves the fake until the test ends.
func (f *fakeAPI) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.key != "" && r.Header.Get("Authorization") != "Bearer "+f.key {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized", "missing or invalid API key", "")
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && (strings.HasPrefix(path, "/api/creatives/sync/") || strings.HasPrefix(path, "/api/creatives/refresh/")):
		if strings.HasSuffix(path, "/nobody") {
			writeAPIError(w, http.StatusNotFound, "not_found", "not found", "")
			return
		}
		var body struct{ StartDate, EndDate string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.StartDate == "" || body.EndDate == "" {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "startDate and endDate are required", "startDate")
			return
		}
		msg := f.message
		if msg == "" {
			msg = "Creative sync job queued"
		}
		writeJSON(w, map[string]any{"success": true, "message": msg, "jobId": f.job, "status": statusPending})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/creatives/sync/events/"):
		f.mu.Lock()
		n := f.eventConns
		f.eventConns++
		f.mu.Unlock()
		if n >= len(f.streams) {
			writeAPIError(w, http.StatusServiceUnavailable, "unavailable", "the event stream is down", "")
			return
		}
		f.stream(w, r, f.streams[n])
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/api/creatives/sync/status/"):
		f.mu.Lock()
		n := min(f.statusCalls, len(f.statuses)-1)
		f.statusCalls++
		f.mu.Unlock()
		if n < 0 {
			writeAPIError(w, http.StatusNotFound, "not_found", "no sync job for this range", "")
			return
		}
		writeJSON(w, f.statuses[n].withETA())
	default:
		writeAPIError(w, http.StatusNotFound, "not_found", "no route "+path, "")
	}
}

func (f *fakeAPI) stream(w http.ResponseWriter, r *http.Request, steps []step) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	flusher.Flush()
	for _, s := range steps {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(s.wait):
		}
		switch {
		case s.cut:
			panic(http.ErrAbortHandler) // drops the connection mid-stream, as a crash would
		case s.heartbeat:
			fmt.Fprint(w, ": waiting\n\n")
		case s.st != nil:
			b, _ := json.Marshal(s.withETA())
			fmt.Fprintf(w, "event: progress\ndata: %s\n\n", b)
		}
		flusher.Flush()
	}
}

// withETA is the status as sent now.
func (s step) withETA() map[string]any {
	out := make(map[string]any, len(s.st)+1)
	for k, v := range s.st {
		out[k] = v
	}
	if s.eta > 0 {
		out["estimatedCompletion"] = time.Now().Add(s.eta).UTC().Format(time.RFC3339Nano)
	}
	return out
}

func (f *fakeAPI) seen() (requests, auth []string, eventConns int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...), append([]string(nil), f.auth...), f.eventConns
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, code int, errCode, msg, field string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": false,
		"error": map[string]any{"code": errCode, "message": msg, "field": field}})
}
