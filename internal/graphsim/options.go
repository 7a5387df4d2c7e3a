package graphsim

import (
	"fmt"
	"time"
)

// Options configure a simulated world; zero values take the defaults written
// beside each field.
type Options struct {
	Seed     int64     // world seed; same seed and clock give identical responses
	Brands   int       // number of brands (default 1): "demo", "brand-2", ...
	Accounts int       // ad accounts per brand (default 1)
	Ads      int       // ads per account at the start of the clock (default 1000)
	Now      time.Time // simulated clock start (default 2026-11-28T00:00:00Z)
	Version  string    // Graph API version advertised (default "v21.0"); any vNN.N path is accepted

	// AdsPerDay is how many new ads each account gains per simulated day
	// (default max(1, Ads/100); negative means none).
	AdsPerDay int
	// MaxPageSize is the largest limit served; above it the API answers code 1
	// "Please reduce the amount of data" with HTTP 500 (default 500).
	MaxPageSize int
	// CallBudget is the call cost that fills one account's usage to 100 % in
	// one UsageWindow, per usage type (ads_management, ads_insights) (default 3000).
	CallBudget float64
	// RowCost is the extra cost of each row returned (default 0.002, so a
	// 500-row page costs 2 calls).
	RowCost float64
	// UsageWindow is how long a full bucket takes to drain (default 1h). Usage
	// drains with wall time and with simulated clock advances, so tests recover
	// by POST /_sim/clock?advance= and long-running servers by waiting.
	UsageWindow time.Duration
	// ClockRate is how many simulated seconds pass per wall second (default 0:
	// the clock moves only by POST /_sim/clock). A dev server can set 60 to
	// watch a day unfold in 24 minutes.
	ClockRate float64
	// AsyncPolls is how many status polls an async report run takes to complete (default 3).
	AsyncPolls int
	// Faults is the initial fault profile (PUT /_sim/faults replaces it).
	Faults Faults
}

// Faults is the fault profile; rates are probabilities per request drawn from
// an RNG seeded by Options.Seed, so a fixed request sequence sees fixed faults.
type Faults struct {
	LatencyMs        int      `json:"latency_ms"`        // fixed latency added to every Graph call
	JitterMs         int      `json:"jitter_ms"`         // plus uniform [0, jitter) ms
	TransientRate    float64  `json:"transient_rate"`    // HTTP 500 code 2 "unexpected error"
	TimeoutRate      float64  `json:"timeout_rate"`      // hang until the client gives up
	TimeoutMs        int      `json:"timeout_ms"`        // bound of a hang, then code 2 (default 30000)
	TruncateRate     float64  `json:"truncate_rate"`     // body cut in half and the connection dropped
	ThrottleRate     float64  `json:"throttle_rate"`     // answer a throttling error without real usage
	ThrottleCode     int      `json:"throttle_code"`     // 17 (default), 4, 613, 80000 or 80004
	ExpireToken      bool     `json:"expire_token"`      // every token answers 190/463
	ExpireBrands     []string `json:"expire_brands"`     // tokens of these brand ids answer 190/463
	PermissionDenied []string `json:"permission_denied"` // ad account ids (act_...) answering code PermissionCode
	PermissionCode   int      `json:"permission_code"`   // 200 (default) or 10
	AsyncFailRate    float64  `json:"async_fail_rate"`   // report runs that end "Job Failed"
	ReduceDataAbove  int      `json:"reduce_data_above"` // overrides MaxPageSize when > 0

	// AsyncFailDays makes every report run over more than this many days end
	// "Job Failed", as the API fails jobs too large to compute; a client
	// that retries with fewer days succeeds. 0: no such limit.
	AsyncFailDays int `json:"async_fail_days"`
}

func (o Options) withDefaults() (Options, error) {
	if o.Brands == 0 {
		o.Brands = 1
	}
	if o.Accounts == 0 {
		o.Accounts = 1
	}
	if o.Ads == 0 {
		o.Ads = 1000
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	}
	o.Now = o.Now.UTC()
	if o.Version == "" {
		o.Version = "v21.0"
	}
	if o.AdsPerDay == 0 {
		o.AdsPerDay = max(1, o.Ads/100)
	}
	if o.MaxPageSize == 0 {
		o.MaxPageSize = 500
	}
	if o.CallBudget == 0 {
		o.CallBudget = 3000
	}
	if o.RowCost == 0 {
		o.RowCost = 0.002
	}
	if o.UsageWindow == 0 {
		o.UsageWindow = time.Hour
	}
	if o.AsyncPolls == 0 {
		o.AsyncPolls = 3
	}
	switch {
	case o.Brands < 0 || o.Accounts < 0 || o.Ads < 0:
		return o, fmt.Errorf("brands, accounts and ads must be positive")
	case o.Brands*o.Accounts > idMaxAccounts:
		return o, fmt.Errorf("at most %d ad accounts in total", idMaxAccounts)
	case o.Ads >= idMaxIndex/2:
		return o, fmt.Errorf("at most %d ads per account", idMaxIndex/2)
	}
	return o, nil
}
