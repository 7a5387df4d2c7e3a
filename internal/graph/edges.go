package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Filter is one element of the Graph API's filtering parameter, e.g.
// {Field: "effective_status", Operator: "IN", Value: []string{"ACTIVE", "PAUSED"}}.
type Filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// Insights returns a Pager over act_{accountID}/insights at level=ad for the
// inclusive date range since..until (YYYY-MM-DD), one row per ad for the whole
// range. fields nil asks for InsightFields. accountID may carry "act_". An
// unreadable range fails the first Next without a call. See Pages for ctx.
func (c *Client) Insights(_ context.Context, tok Token, accountID, since, until string, fields []string) *Pager {
	return c.insightsPager(tok, InsightsQuery{AccountID: accountID, Since: since, Until: until, Fields: fields})
}

// insightsPager is the synchronous edge's Pager over q.
func (c *Client) insightsPager(tok Token, q InsightsQuery) *Pager {
	id := q.account()
	params, err := q.params()
	p := c.pages(tok, "act_"+id+" insights", "act_"+id+"/insights", params)
	p.err = err
	return p
}

// Ads returns a Pager over act_{accountID}/ads, every status included unless
// filtering narrows it. fields "" asks for AdFields. See Pages for ctx.
func (c *Client) Ads(_ context.Context, tok Token, accountID, fields string, filtering ...Filter) *Pager {
	id := strings.TrimPrefix(accountID, "act_")
	if fields == "" {
		fields = AdFields
	}
	params := url.Values{"fields": {fields}}
	var ferr error
	if len(filtering) > 0 {
		f, err := json.Marshal(filtering)
		params.Set("filtering", string(f))
		ferr = err
	}
	p := c.pages(tok, "act_"+id+" ads", "act_"+id+"/ads", params)
	if ferr != nil {
		p.err = fmt.Errorf("act_%s ads filtering: %w", id, ferr)
	}
	return p
}

// MaxIDs is the most ids the API takes in one /?ids= lookup; ByIDs sends
// more as one batch of such lookups.
const MaxIDs = 50

// DistinctIDs is ids without empty and repeated ones, in their first order.
func DistinctIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ByIDs looks objects up with /?ids=, 50 ids a request, and returns each
// object's JSON by id. Duplicate and empty ids are dropped. Lookups of more
// than 50 ids go out as Graph batches of up to 50 requests (one round trip
// instead of one per 50 ids) unless Config.NoBatch; a request the batch
// did not answer is sent again on its own. A failing lookup ends ByIDs with
// its error; cancelling ctx stops it at once.
func (c *Client) ByIDs(ctx context.Context, tok Token, ids []string, fields string) (map[string]json.RawMessage, error) {
	uniq := DistinctIDs(ids)
	out := make(map[string]json.RawMessage, len(uniq))
	chunks := slices.Collect(slices.Chunk(uniq, MaxIDs))
	reqs := make([]BatchRequest, len(chunks))
	for i, chunk := range chunks {
		reqs[i] = BatchRequest{Params: url.Values{"ids": {strings.Join(chunk, ",")}}}
		if fields != "" {
			reqs[i].Params.Set("fields", fields)
		}
	}
	group := MaxBatch
	if c.cfg.NoBatch {
		group = 1
	}
	for n, rs := range chunkIndex(reqs, group) {
		if err := c.lookup(ctx, tok, rs, out); err != nil {
			return nil, fmt.Errorf("ids chunk %d/%d: %w", n+1, len(chunks), err)
		}
	}
	return out, nil
}

// lookup sends /?ids= requests, as one batch when there are several, and
// adds the objects they return to out.
func (c *Client) lookup(ctx context.Context, tok Token, reqs []BatchRequest, out map[string]json.RawMessage) error {
	bodies := make([]json.RawMessage, len(reqs))
	if len(reqs) > 1 {
		resps, err := c.Batch(ctx, tok, reqs)
		if err != nil {
			return err
		}
		for i, r := range resps {
			bodies[i] = r.Body
			if r.Err != nil && !retryAlone(r.Err) {
				return r.Err
			}
		}
	}
	for i, r := range reqs {
		if bodies[i] != nil {
			continue
		}
		if err := c.Get(ctx, tok, r.Path, r.Params, &bodies[i]); err != nil {
			return err
		}
	}
	for _, b := range bodies {
		var got map[string]json.RawMessage
		if err := json.Unmarshal(b, &got); err != nil {
			return fmt.Errorf("ids lookup: decode: %w", err)
		}
		for id, raw := range got {
			out[id] = raw
		}
	}
	return nil
}

// retryAlone reports a batch item failure that the same request sent on
// its own may not meet: not processed, throttled, transient or truncated.
func retryAlone(err error) bool {
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		return true
	}
	return ae.Throttled() || (ae.Transient() && !ae.AuthExpired() && !ae.Permission())
}

// chunkIndex yields s in pieces of at most n, numbered from 0 by their first
// element's index, so that errors name the first chunk of the piece.
func chunkIndex[T any](s []T, n int) func(yield func(int, []T) bool) {
	return func(yield func(int, []T) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(i, s[i:min(i+n, len(s))]) {
				return
			}
		}
	}
}

// CountAds returns how many ads act_{accountID} holds, every status included
// (summary=true on the ads edge, one request): the plan of a sync job, an
// upper bound of the ads with data in any date range.
func (c *Client) CountAds(ctx context.Context, tok Token, accountID string) (int64, error) {
	p := c.Ads(ctx, tok, accountID, "id").WithLimit(1)
	p.first.query.Set("summary", "true")
	if _, err := p.Next(ctx); err != nil {
		return 0, err
	}
	n, ok := p.Total()
	if !ok {
		return 0, fmt.Errorf("act_%s ads: no summary.total_count in the answer", strings.TrimPrefix(accountID, "act_"))
	}
	return n, nil
}
