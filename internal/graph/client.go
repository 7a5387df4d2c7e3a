package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config configures a Client. Every field but BaseURL has the default written
// beside it.
type Config struct {
	BaseURL    string       // required: https://graph.facebook.com, or graphsim's http://127.0.0.1:8090
	Version    string       // API version path segment; default "v21.0"
	HTTPClient *http.Client // default: a client with a 30 s timeout
	MaxRetries int          // retries of transient and throttled calls; default 5, negative for none
	PageLimit  int          // limit asked of list edges; default 500
	Logger     *slog.Logger // default: discards
	// Sleep waits d or until ctx ends, returning ctx's error then; default a
	// timer. Tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Observer is told about every HTTP attempt (metrics hook); default none.
	Observer Observer

	Backoff    time.Duration // first transient retry wait, doubled per retry, jittered; default 1 s
	MaxBackoff time.Duration // cap of one backoff wait; default 1 min
	// MaxWait is the longest throttle the client sits out; a longer advertised
	// wait returns the *APIError (with RetryAfter) so the caller can resume
	// later from Pager.After. Default 1 h.
	MaxWait time.Duration
	// SlowDownAt is the usage percentage from which calls to the same ad
	// account are spaced out; default 90.
	SlowDownAt float64
	// SlowDown is the pause before a call at 100 % usage, scaled linearly
	// down to zero at SlowDownAt; default 10 s.
	SlowDown time.Duration

	ReportPoll    time.Duration // wait before a report run's first status poll, doubled per poll; default 1 s
	ReportPollMax time.Duration // cap of that wait; default 30 s
	// ReportTimeout is how long a report run may stay unfinished before it
	// is given up with a *ReportRunError (TimedOut); default 15 min.
	ReportTimeout time.Duration
	// ReportRunRows is the estimated row count (ads × days) above which
	// DailyInsights computes rows as report runs instead of paging the
	// synchronous edge; default DefaultReportRunRows, negative never.
	ReportRunRows int
	// NoBatch sends ByIDs lookups one request at a time instead of as Graph
	// batches; default false (batched).
	NoBatch bool
}

// Observer receives one RequestInfo per HTTP attempt. Implementations must be
// safe for concurrent use and fast: they run on the calling goroutine.
type Observer interface {
	ObserveRequest(RequestInfo)
}

// RequestInfo describes one HTTP attempt. It never holds the token.
type RequestInfo struct {
	Endpoint string        // "insights", "ads", "ids", "object", …: low cardinality
	Account  string        // ad account id without "act_", "" when the path names none
	Attempt  int           // 1 for the first try of a call
	Status   int           // HTTP status, 0 when no response arrived
	Code     int           // Graph error code, 0 on success
	Duration time.Duration // time to the full response body
	Usage    Usage         // zero when the response carried no usage headers
	Err      error         // nil on success
}

// Client calls the Graph API. It is safe for concurrent use; it holds no
// token, each call brings its own.
type Client struct {
	cfg   Config
	base  *url.URL
	http  *http.Client
	log   *slog.Logger
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
	jit   func() float64 // in [0,1)
	usage usageBook
}

// New checks cfg, fills in its defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("graph base URL %q: want http(s)://host", cfg.BaseURL)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawQuery, base.Fragment = "", ""
	if cfg.Version == "" {
		cfg.Version = "v21.0"
	}
	if !versionRE.MatchString(cfg.Version) {
		return nil, fmt.Errorf("graph version %q: want vNN.N", cfg.Version)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 5
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	cfg.PageLimit = cmpOr(cfg.PageLimit, 500)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	cfg.Backoff = cmpOr(cfg.Backoff, time.Second)
	cfg.MaxBackoff = cmpOr(cfg.MaxBackoff, time.Minute)
	cfg.MaxWait = cmpOr(cfg.MaxWait, time.Hour)
	cfg.SlowDownAt = cmpOr(cfg.SlowDownAt, 90)
	cfg.SlowDown = cmpOr(cfg.SlowDown, 10*time.Second)
	cfg.ReportPoll = cmpOr(cfg.ReportPoll, time.Second)
	cfg.ReportPollMax = cmpOr(cfg.ReportPollMax, 30*time.Second)
	cfg.ReportTimeout = cmpOr(cfg.ReportTimeout, 15*time.Minute)
	if cfg.ReportRunRows == 0 {
		cfg.ReportRunRows = DefaultReportRunRows
	}
	return &Client{
		cfg:   cfg,
		base:  base,
		http:  cfg.HTTPClient,
		log:   cfg.Logger,
		sleep: cfg.Sleep,
		now:   time.Now,
		jit:   randFloat,
	}, nil
}

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

func cmpOr[T int | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Usage returns the rate-limit usage last reported for an ad account ("123"
// or "act_123"); ok is false before any response carried usage headers.
func (c *Client) Usage(accountID string) (u Usage, ok bool) {
	u, _, ok = c.usage.get(strings.TrimPrefix(accountID, "act_"))
	return u, ok
}

// Get fetches one object, e.g. path "act_123" or "123456" (without the
// version), into out (skipped when nil). It retries throttled and transient
// failures; cancelling ctx stops the request or the wait at once.
func (c *Client) Get(ctx context.Context, tok Token, path string, params url.Values, out any) error {
	req := c.newRequest(path, params)
	body, err := c.do(ctx, tok, req)
	if err != nil {
		return fmt.Errorf("get %s: %w", req.path, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("get %s: decode: %w", req.path, err)
	}
	return nil
}

// request is one call: an absolute path (with base prefix and version) and
// its query, which the retry loop may change (halving limit). A POST sends
// the query as its form body, as the Graph API takes it.
type request struct {
	method string // "" is GET
	path   string
	query  url.Values
}

func (c *Client) newRequest(path string, params url.Values) *request {
	q := url.Values{}
	for k, v := range params {
		q[k] = append([]string(nil), v...)
	}
	q.Del("access_token") // the token travels in the header only
	p := c.base.Path + "/" + c.cfg.Version + "/" + strings.TrimPrefix(path, "/")
	return &request{path: p, query: q}
}

// String is the request URL; it holds no token and may be logged.
func (r *request) String() string {
	s := r.path
	if len(r.query) > 0 {
		s += "?" + r.query.Encode()
	}
	if r.method != "" && r.method != http.MethodGet {
		s = r.method + " " + s
	}
	return s
}

// maxBody bounds a response body; Graph pages are far smaller.
const maxBody = 256 << 20

// roundTrip sends req once and reads the whole body.
func (c *Client) roundTrip(ctx context.Context, tok Token, req *request) (int, http.Header, []byte, error) {
	u := *c.base
	u.Path, u.RawPath = req.path, ""
	var hreq *http.Request
	var err error
	if req.method == http.MethodPost {
		hreq, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(req.query.Encode()))
		if hreq != nil {
			hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		u.RawQuery = req.query.Encode()
		hreq, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	if err != nil {
		return 0, nil, nil, err
	}
	hreq.Header.Set("Authorization", "Bearer "+tok.Reveal())
	hreq.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, resp.Header, body, err
}

// check turns a response into nil, an *APIError, or a transport error.
func check(status int, body []byte, err error, tok Token) error {
	switch {
	case err != nil:
		return err
	case status < 200 || status > 299:
		return parseAPIError(status, body, tok)
	case !validJSON(body):
		return fmt.Errorf("%w (%d bytes)", errInvalidBody, len(body))
	}
	return nil
}

var accountRE = regexp.MustCompile(`/act_([0-9]+)(?:/|$)`)

// accountOf is the ad account a path addresses, "" when none.
func accountOf(path string) string {
	if m := accountRE.FindStringSubmatch(path); m != nil {
		return m[1]
	}
	return ""
}

// endpointOf is a low-cardinality name for a path, for logs and metrics.
func (c *Client) endpointOf(path string) string {
	rest := strings.TrimPrefix(path, c.base.Path+"/"+c.cfg.Version)
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case segs[0] == "":
		return "ids"
	case len(segs) == 1:
		return "object"
	}
	return segs[len(segs)-1]
}

func apiCode(err error) int {
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.Code
	}
	return 0
}
