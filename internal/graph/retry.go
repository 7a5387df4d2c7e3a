package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// do sends req until it succeeds, fails for good, or runs out of retries,
// and returns the (valid JSON) body. Throttles wait what the usage headers
// advertise; transient failures back off exponentially with jitter; code 1
// "reduce the amount of data" halves req's limit and retries at once.
// Cancelling ctx ends the request or the wait immediately.
func (c *Client) do(ctx context.Context, tok Token, req *request) ([]byte, error) {
	account := accountOf(req.path)
	endpoint := c.endpointOf(req.path)
	if req.query.Has("batch") {
		endpoint = "batch"
	}
	retries := 0
	for attempt := 1; ; attempt++ {
		if attempt == 1 { // a retry has already waited for what the API said
			if err := c.pace(ctx, account); err != nil {
				return nil, err
			}
		}
		start := c.now()
		status, header, body, err := c.roundTrip(ctx, tok, req)
		err = check(status, body, err, tok)
		u, hasUsage := parseUsage(header)
		if hasUsage {
			c.usage.set(account, u, c.now())
		}
		if o := c.cfg.Observer; o != nil {
			o.ObserveRequest(RequestInfo{
				Endpoint: endpoint, Account: account, Attempt: attempt, Status: status,
				Code: apiCode(err), Duration: c.now().Sub(start), Usage: u, Err: err,
			})
		}
		if err == nil {
			c.log.Debug("graph request", "url", req.String(), "status", status, "attempt", attempt)
			return body, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}

		ae, isAPI := errors.AsType[*APIError](err)
		if isAPI && ae.tooMuchData() && halveLimit(req) {
			c.log.Info("graph page limit halved", "url", req.String(), "limit", req.query.Get("limit"))
			continue
		}
		var wait time.Duration
		switch {
		case isAPI && (ae.AuthExpired() || ae.Permission()):
			return nil, err
		case isAPI && ae.Throttled():
			wait = c.throttleWait(u, retries)
			ae.RetryAfter = wait
			if wait > c.cfg.MaxWait {
				return nil, fmt.Errorf("throttled for %s, beyond max wait %s: %w", wait, c.cfg.MaxWait, err)
			}
		case isAPI && !ae.Transient():
			return nil, err
		default: // transient API errors, timeouts, broken connections, truncated bodies
			wait = c.backoff(retries)
		}
		if retries >= c.cfg.MaxRetries {
			return nil, fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		retries++
		c.log.Warn("graph retry", "url", req.String(), "attempt", attempt, "wait", wait, "code", apiCode(err), "status", status, "err", err)
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("retry wait: %w; last error: %w", serr, err)
		}
	}
}

// pace spaces out calls to an ad account whose last reported usage is at or
// past SlowDownAt, so that the API does not have to throttle them.
func (c *Client) pace(ctx context.Context, account string) error {
	u, at, ok := c.usage.get(account)
	if !ok || u.MaxPct < c.cfg.SlowDownAt {
		return nil
	}
	var d time.Duration
	if u.MaxPct >= 100 {
		d = max(u.wait(), c.cfg.SlowDown)
	} else {
		frac := (u.MaxPct - c.cfg.SlowDownAt) / (100 - c.cfg.SlowDownAt)
		d = time.Duration(frac * float64(c.cfg.SlowDown))
	}
	d = min(d-c.now().Sub(at), c.cfg.MaxWait) // the time since the report counts
	if d <= 0 {
		return nil
	}
	c.log.Info("graph slowing down", "account", account, "usage_pct", u.MaxPct, "wait", d)
	return c.sleep(ctx, d)
}

// throttleWait is the advertised wait plus up to 10 % jitter, so that
// throttled workers do not return together; without an advertised wait it
// backs off from ten times the transient base.
func (c *Client) throttleWait(u Usage, retries int) time.Duration {
	if w := u.wait(); w > 0 {
		return w + time.Duration(c.jit()*0.1*float64(w))
	}
	d := c.cfg.Backoff * 10 << min(retries, 20)
	d = min(d, max(c.cfg.MaxBackoff, 10*c.cfg.Backoff))
	return d/2 + time.Duration(c.jit()*float64(d/2))
}

// backoff is Backoff·2^retries capped at MaxBackoff, jittered into its
// upper half.
func (c *Client) backoff(retries int) time.Duration {
	d := min(c.cfg.Backoff<<min(retries, 20), c.cfg.MaxBackoff)
	return d/2 + time.Duration(c.jit()*float64(d/2))
}

// halveLimit halves the limit parameter of req; false when there is none
// left to halve.
func halveLimit(req *request) bool {
	n, err := strconv.Atoi(req.query.Get("limit"))
	if err != nil || n <= 1 {
		return false
	}
	req.query.Set("limit", strconv.Itoa(n/2))
	return true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randFloat() float64 { return rand.Float64() }
