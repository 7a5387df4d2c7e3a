// Package graphsim is a deterministic, in-process simulator of the Meta Marketing (Graph) API.
package graphsim

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server serves the simulated Graph API and its /_sim/ control endpoints. It
// is safe for concurrent use; the world is derived on demand, so memory stays
// flat whatever the number of ads, but for a bounded cache of sorted insights
// orders (at most 64 MiB). It owns no goroutines: the workers valuing a sorted
// result end before their request does, and a request that hangs on a
// timeout fault ends when its client gives up or the bound passes.
type Server struct {
	opts  Options
	w     *world
	sorts sortCache // sorted insights orders; valid across resets, as the world is immutable

	mu       sync.Mutex // guards everything below
	started  time.Time  // wall time of New or the last reset
	advanced time.Duration
	faults   Faults
	rng      *rand.Rand
	usage    map[usageKey]*bucket
	app      bucket
	stats    stats
	reports  map[string]*reportRun
	nextRun  int64
	traceSeq uint64
}

// Brand is one simulated brand: its token reads exactly its ad accounts.
type Brand struct {
	BrandID      string   `json:"brand_id"`
	AccessToken  string   `json:"access_token"`
	AdAccountIDs []string `json:"ad_account_ids"`
}

// New builds a server for the world described by opts.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, w: newWorld(o)}
	s.reset()
	return s, nil
}

// reset puts the clock, usage, counters, faults and report runs back to their
// state at New.
func (s *Server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = time.Now()
	s.advanced = 0
	s.faults = s.opts.Faults
	s.rng = rand.New(rand.NewPCG(uint64(s.opts.Seed), 0x6661756c7473))
	s.usage = map[usageKey]*bucket{}
	s.app = bucket{}
	s.stats = newStats()
	s.reports = map[string]*reportRun{}
	s.nextRun = 0
	s.traceSeq = 0
}

// Brands lists the brands with their tokens and ad account ids.
func (s *Server) Brands() []Brand {
	out := make([]Brand, 0, len(s.w.brands))
	for _, b := range s.w.brands {
		br := Brand{BrandID: b.id, AccessToken: b.token, AdAccountIDs: []string{}}
		for _, g := range b.accounts {
			br.AdAccountIDs = append(br.AdAccountIDs, s.w.accounts[g].id)
		}
		out = append(out, br)
	}
	return out
}

// Now is the simulated clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now.Add(s.advanced + time.Duration(s.opts.ClockRate*float64(time.Since(s.started))))
}

func (s *Server) maxPage() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.ReduceDataAbove > 0 {
		return s.faults.ReduceDataAbove
	}
	return s.opts.MaxPageSize
}

// trace mints an fbtrace_id; deterministic per request sequence.
func (s *Server) trace() string {
	s.mu.Lock()
	s.traceSeq++
	n := s.traceSeq
	s.mu.Unlock()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	x := h(uint64(s.opts.Seed), saltTrace, n, 0)
	b := make([]byte, 11)
	for i := range b {
		b[i] = alphabet[x&63]
		x >>= 6
	}
	return "A" + string(b)
}

// ServeHTTP serves Graph API paths (/vNN.N/... or unversioned) and /_sim/.
// It may be called concurrently. A client that goes away during injected
// latency or a timeout hang gets nothing written; no work outlives the call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	f := s.drawFaults()
	if !f.sleep(r.Context()) {
		return
	}
	if f.timeout {
		s.hang(w, r, f)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeResp(w, r, s.errResp(errParam("Invalid request body")), false)
		return
	}
	req := s.newRequest(r)
	var resp *response
	switch {
	case f.transient:
		resp = s.fail(errTransient())
	case f.throttle != 0:
		resp = s.fail(errThrottle(f.throttle))
	default:
		resp = s.call(req)
	}
	s.writeResp(w, r, resp, f.truncate)
	// Written: nothing holds the body any more (a truncated answer panics
	// above and leaves its body to the garbage collector).
	recycle(resp.body)
}

func (s *Server) newRequest(r *http.Request) *request {
	version, segs := splitPath(r.URL.Path)
	if version == "" {
		version = s.opts.Version
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	tok := r.Form.Get("access_token")
	if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok == "" {
		tok = strings.TrimSpace(a)
	}
	return &request{
		method:  r.Method,
		version: version,
		segs:    segs,
		q:       r.Form,
		token:   tok,
		scheme:  scheme,
		host:    r.Host,
		now:     s.Now(),
	}
}

// response is a rendered Graph answer before it reaches the wire.
type response struct {
	status int
	body   []byte
	header map[string]string
	err    *graphError // set on error answers
}

func (s *Server) errResp(e *graphError) *response {
	return &response{err: e, status: e.status, body: e.body(s.trace()), header: map[string]string{"Www-Authenticate": `OAuth "Facebook Platform" "` + errKind(e) + `" "` + e.message + `"`}}
}

func errKind(e *graphError) string {
	if e.code == 190 {
		return "invalid_token"
	}
	return "invalid_request"
}

// writeResp writes a Graph answer to the request r. Facebook-Api-Version
// says the version the path asked for, as the real API does, and the
// default version for unversioned paths.
func (s *Server) writeResp(w http.ResponseWriter, r *http.Request, resp *response, truncate bool) {
	hd := w.Header()
	for k, v := range resp.header {
		hd.Set(k, v)
	}
	version, _ := splitPath(r.URL.Path)
	if version == "" {
		version = s.opts.Version
	}
	hd.Set("Content-Type", "application/json; charset=UTF-8")
	hd.Set("Facebook-Api-Version", version)
	hd.Set("X-Fb-Trace-Id", s.trace())
	if truncate && len(resp.body) > 1 {
		// The real failure mode: headers promise the full body, the
		// connection drops halfway.
		hd.Set("Content-Length", itoa(len(resp.body)))
		w.WriteHeader(resp.status)
		w.Write(resp.body[:len(resp.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	hd.Set("Content-Length", itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}
