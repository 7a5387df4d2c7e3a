package graphsim

import "strconv"

// stats are the counters /_sim/stats reports.
type stats struct {
	Calls      int64            `json:"calls"`
	ByEndpoint map[string]int64 `json:"by_endpoint"`
	ByAccount  map[string]int64 `json:"by_account"`
	Throttled  int64            `json:"throttled"`
	Errors     int64            `json:"errors"`
	ErrorCodes map[string]int64 `json:"error_codes"`
	Timeouts   int64            `json:"timeouts"`
	Rows       int64            `json:"rows"`
}

func newStats() stats {
	return stats{ByEndpoint: map[string]int64{}, ByAccount: map[string]int64{}, ErrorCodes: map[string]int64{}}
}

// countCall records a served Graph call; acct < 0 when no account applies.
func (s *Server) countCall(endpoint string, acct int, rows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls++
	s.stats.ByEndpoint[endpoint]++
	if acct >= 0 {
		s.stats.ByAccount[s.w.accounts[acct].id]++
	}
	s.stats.Rows += int64(rows)
}

// countError records an error answer by its Graph code.
func (s *Server) countError(resp *response) {
	if resp.err == nil {
		return
	}
	code := resp.err.code
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Errors++
	s.stats.ErrorCodes[strconv.Itoa(code)]++
	if code == 17 || code == 80004 || code == 80000 || code == 613 {
		s.stats.Throttled++
	}
}
