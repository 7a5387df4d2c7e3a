package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/adstream/adstream/internal/config"
)

// apiClient calls the REST API of a running adstream for the command line.
// It is safe for concurrent use; every call ends when its context does.
type apiClient struct {
	base string        // ADSTREAM_API_URL, without a trailing slash
	key  config.Secret // ADSTREAM_API_KEY; sent only when set
	http *http.Client
	// streamIdle is how long an event stream may stay silent before it
	// counts as broken: the API writes a heartbeat comment every 15 s, so a
	// longer silence is a dead connection that TCP has not noticed.
	streamIdle time.Duration
}

// requestTimeout bounds one plain request (not an event stream).
const requestTimeout = 30 * time.Second

func newAPIClient(c config.APIClient) *apiClient {
	// No http.Client.Timeout: it would cut event streams; plain requests
	// carry their own deadline.
	return &apiClient{base: c.URL, key: c.Key, http: &http.Client{}, streamIdle: 45 * time.Second}
}

// syncRange is a brand and an inclusive date range, as the API takes them.
type syncRange struct{ Brand, Start, End string }

func (r syncRange) query() string {
	return url.Values{"startDate": {r.Start}, "endDate": {r.End}}.Encode()
}

// syncAnswer is the API's answer to a sync or refresh request: the job it
// queued, or the one already running for the range.
type syncAnswer struct {
	Message string `json:"message"`
	JobID   string `json:"jobId"`
	Status  string `json:"status"`
}

// Job statuses of the sync-status JSON.
const (
	statusPending    = "pending"
	statusProcessing = "processing"
	statusCompleted  = "completed"
	statusFailed     = "failed"
)

// syncStatus is the sync-status JSON of GET .../sync/status and of each
// progress event. Times are ISO 8601 strings, empty when absent.
type syncStatus struct {
	JobID    string `json:"jobId"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Progress struct {
		TotalAds     int64   `json:"totalAds"`
		ProcessedAds int64   `json:"processedAds"`
		Percentage   float64 `json:"percentage"`
	} `json:"progress"`
	CreatedAt           string    `json:"createdAt"`
	StartedAt           string    `json:"startedAt"`
	UpdatedAt           string    `json:"updatedAt"`
	CompletedAt         string    `json:"completedAt"`
	EstimatedCompletion string    `json:"estimatedCompletion"`
	Error               *jobError `json:"error"`
}

// jobError is why a job failed: code is token_invalid, permission_denied,
// rate_limited, graph_unavailable or internal.
type jobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s syncStatus) ended() bool { return s.Status == statusCompleted || s.Status == statusFailed }

// apiError is an error answer of the API:
// {"success":false,"error":{"code","message","field"}} with a 4xx or 5xx.
type apiError struct {
	StatusCode int
	Code       string
	Message    string
	Field      string
	RetryAfter string // the Retry-After header of a 429
	keySet     bool   // whether ADSTREAM_API_KEY was sent, for the 401 advice
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = fmt.Sprintf("the API answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Field != "" {
		msg += " (field " + e.Field + ")"
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized && e.keySet:
		msg += "; ADSTREAM_API_KEY is not one of the API's keys: set it to a key of the API's ADSTREAM_API_KEYS"
	case e.StatusCode == http.StatusUnauthorized:
		msg += "; the API needs a key: set ADSTREAM_API_KEY to one of the API's ADSTREAM_API_KEYS"
	case e.RetryAfter != "":
		msg += "; retry after " + e.RetryAfter + " s"
	}
	return msg
}

// permanent says whether asking again cannot help: the request or the key
// is wrong. A 404 is not permanent while a job is followed: an API that
// just restarted may not know the job yet.
func (e *apiError) permanent() bool {
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// unreachableError says that no API answered at the configured URL.
type unreachableError struct {
	url string
	err error
}

func (e *unreachableError) Error() string {
	if errors.Is(e.err, syscall.ECONNREFUSED) {
		return fmt.Sprintf("no API answers at %s (connection refused): start one (adstream dev or adstream api) or set ADSTREAM_API_URL", e.url)
	}
	err := e.err
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the method and URL
	}
	return fmt.Sprintf("cannot reach the API at %s: %v", e.url, err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// redactedURL hides a password written into ADSTREAM_API_URL.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// startSync asks for a FULL sync (POST .../sync/{brand}) or a REFRESH
// (POST .../refresh/{brand}) of the range.
func (c *apiClient) startSync(ctx context.Context, kind string, r syncRange) (syncAnswer, error) {
	route := "/api/creatives/sync/"
	if kind == "REFRESH" {
		route = "/api/creatives/refresh/"
	}
	body, _ := json.Marshal(map[string]string{"startDate": r.Start, "endDate": r.End})
	var ans syncAnswer
	err := c.callJSON(ctx, http.MethodPost, route+url.PathEscape(r.Brand), body, &ans)
	if err == nil && ans.JobID == "" {
		err = errors.New("the API queued the sync but named no job")
	}
	return ans, err
}

// status reads the state of the range's latest job.
func (c *apiClient) status(ctx context.Context, r syncRange) (syncStatus, error) {
	var st syncStatus
	err := c.callJSON(ctx, http.MethodGet, "/api/creatives/sync/status/"+url.PathEscape(r.Brand)+"?"+r.query(), nil, &st)
	return st, err
}

func (c *apiClient) callJSON(ctx context.Context, method, path string, body []byte, into any) error {
	reqCtx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := c.send(reqCtx, method, path, body, "application/json")
	if err == nil {
		defer resp.Body.Close()
		err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
		if err != nil && reqCtx.Err() == nil {
			return fmt.Errorf("%s %s: the API's answer is not the expected JSON: %w", method, path, err)
		}
	}
	if err != nil && ctx.Err() == nil && reqCtx.Err() != nil {
		return &unreachableError{url: redactedURL(c.base), err: fmt.Errorf("no answer within %s", requestTimeout)}
	}
	return err
}

// send makes one request; an answer of 400 or more becomes an *apiError,
// no answer at all an *unreachableError.
func (c *apiClient) send(ctx context.Context, method, path string, body []byte, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "adstream-cli/"+version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key.Reveal())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, &unreachableError{url: redactedURL(c.base), err: err}
	}
	if resp.StatusCode >= http.StatusBadRequest {
		defer resp.Body.Close()
		return nil, c.errorFrom(resp)
	}
	return resp, nil
}

func (c *apiClient) errorFrom(resp *http.Response) *apiError {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	// A proxy in front of the API may answer with HTML: then the status
	// line is all there is to say.
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	e := &apiError{StatusCode: resp.StatusCode, Code: body.Error.Code, Message: body.Error.Message,
		Field: body.Error.Field, keySet: c.key != ""}
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = resp.Header.Get("Retry-After")
	}
	return e
}
