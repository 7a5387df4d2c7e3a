package graphsim

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// drawn is the fault decision for one request.
type drawn struct {
	latency   time.Duration
	timeout   bool
	hangFor   time.Duration
	transient bool
	truncate  bool
	throttle  int // forced throttling error code, 0 for none
}

// drawFaults rolls the fault dice for one request from the seeded RNG, so a
// fixed sequence of requests meets a fixed sequence of faults.
func (s *Server) drawFaults() drawn {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	var d drawn
	d.latency = time.Duration(f.LatencyMs) * time.Millisecond
	if f.JitterMs > 0 {
		d.latency += time.Duration(s.rng.IntN(f.JitterMs)) * time.Millisecond
	}
	roll := func(p float64) bool { return p > 0 && s.rng.Float64() < p }
	d.timeout = roll(f.TimeoutRate)
	d.hangFor = time.Duration(f.TimeoutMs) * time.Millisecond
	if d.hangFor <= 0 {
		d.hangFor = 30 * time.Second
	}
	d.transient = roll(f.TransientRate)
	d.truncate = roll(f.TruncateRate)
	if roll(f.ThrottleRate) {
		d.throttle = f.ThrottleCode
		if d.throttle == 0 {
			d.throttle = 17
		}
	}
	return d
}

// sleep waits out the latency; false means the client went away.
func (d drawn) sleep(ctx context.Context) bool {
	if d.latency <= 0 {
		return true
	}
	t := time.NewTimer(d.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// hang holds the request until the client gives up or the bound passes, then
// answers the transient error a gateway timeout looks like to Graph clients.
func (s *Server) hang(w http.ResponseWriter, r *http.Request, d drawn) {
	s.mu.Lock()
	s.stats.Timeouts++
	s.mu.Unlock()
	t := time.NewTimer(d.hangFor)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
		resp := s.errResp(errTransient())
		s.countError(resp)
		s.writeResp(w, r, resp, false)
	}
}

// tokenExpired reports whether the expire fault covers brand b.
func (s *Server) tokenExpired(b int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.ExpireToken || slices.Contains(s.faults.ExpireBrands, s.w.brands[b].id)
}

// permissionDenied returns the permission error the fault profile sets for
// an account, if any.
func (s *Server) permissionDenied(acct int) *graphError {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.w.accounts[acct]
	if slices.Contains(s.faults.PermissionDenied, a.id) || slices.Contains(s.faults.PermissionDenied, a.num) {
		return errPermission(s.faults.PermissionCode)
	}
	return nil
}

// errThrottle is the throttling error the Marketing API uses for code.
func errThrottle(code int) *graphError {
	switch code {
	case 4:
		return &graphError{status: 400, typ: "OAuthException", code: 4, subcode: 1504022, transient: true,
			message: "Application request limit reached"}
	case 613:
		return &graphError{status: 400, typ: "OAuthException", code: 613, subcode: 1487742, transient: true,
			message: "(#613) Calls to this api have exceeded the rate limit."}
	case 80000:
		return &graphError{status: 400, typ: "OAuthException", code: 80000, subcode: 2446079, transient: true,
			message: "There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."}
	case 80004:
		return errThrottleInsights()
	}
	return errThrottleManagement()
}
