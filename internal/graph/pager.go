package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// Pager walks a cursor-paged edge one page at a time. It follows paging.next
// exactly as the API wrote it (rebased onto Config.BaseURL and without any
// access_token in it) until a page comes without next. A Pager is not safe
// for concurrent use; a failed Next can be called again and retries the same
// page.
type Pager struct {
	c     *Client
	tok   Token
	label string
	first *request // the edge's own request, with after= when resuming
	next  *request // from the last page's paging.next; nil before the first page
	limit string   // current limit, smaller after "reduce the amount of data"
	after string
	page  int
	total int64
	hasTT bool
	done  bool
	err   error // set at construction: every Next returns it
}

// Pages returns a Pager over the list edge at path (e.g. "act_123/ads") with
// params, asking for Config.PageLimit items a page unless params sets limit.
// It sends nothing until Next; ctx is not kept (each Next takes its own).
func (c *Client) Pages(_ context.Context, tok Token, path string, params url.Values) *Pager {
	return c.pages(tok, path, path, params)
}

func (c *Client) pages(tok Token, label, path string, params url.Values) *Pager {
	req := c.newRequest(path, params)
	if req.query.Get("limit") == "" {
		req.query.Set("limit", strconv.Itoa(c.cfg.PageLimit))
	}
	return &Pager{c: c, tok: tok, label: label, first: req, limit: req.query.Get("limit")}
}

// WithLimit asks for n items a page instead of Config.PageLimit, for a caller
// that wants only the first few rows. Call it before the first Next.
func (p *Pager) WithLimit(n int) *Pager {
	p.first.query.Set("limit", strconv.Itoa(n))
	p.limit = p.first.query.Get("limit")
	return p
}

// WithSort asks an insights edge to order its rows by one metric, spec
// written as the Marketing API takes it: "<field>_descending" or
// "<field>_ascending" (no suffix is ascending), field an insights metric such
// as spend, impressions, clicks, reach, frequency, ctr, cpc or cpp, or
// "actions:<action_type>". "spend_descending" gives the range's biggest
// spenders first. The API honours one sort; a second call replaces the
// first and "" removes it. Call it before the first Next; later pages follow
// paging.next, which carries the sort. A field the API cannot sort by fails
// the first Next with its *APIError (code 100).
func (p *Pager) WithSort(spec string) *Pager {
	if spec == "" {
		p.first.query.Del("sort")
		return p
	}
	// A JSON list, as Meta's own SDKs send this list<string> parameter.
	list, _ := json.Marshal([]string{spec})
	p.first.query.Set("sort", string(list))
	return p
}

// Daily asks an insights edge for one row per ad and day (time_increment=1)
// instead of one per ad for the whole range. Call it before the first Next.
func (p *Pager) Daily() *Pager {
	p.first.query.Set("time_increment", "1")
	return p
}

// Resume makes the Pager start after cursor, a value After returned earlier,
// so a sync interrupted at page n continues with page n+1. Call it before the
// first Next; an empty cursor starts from the beginning.
func (p *Pager) Resume(cursor string) *Pager {
	if cursor != "" {
		p.first.query.Set("after", cursor)
		p.after = cursor
	}
	return p
}

// After is the cursor after the last page returned, for Resume; empty before
// the first page.
func (p *Pager) After() string { return p.after }

// Done reports whether the last page has been returned.
func (p *Pager) Done() bool { return p.done }

// Page is how many pages Next has returned.
func (p *Pager) Page() int { return p.page }

// Total is summary.total_count when the edge was asked for summary=true and
// answered it.
func (p *Pager) Total() (int64, bool) { return p.total, p.hasTT }

// Next fetches the next page and returns its data items, in the API's order.
// After the last page it returns nil, nil and Done is true. A page may be
// empty without being the last. Cancelling ctx stops the request or a retry
// wait at once; the Pager stays on the same page.
func (p *Pager) Next(ctx context.Context) ([]json.RawMessage, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.done {
		return nil, nil
	}
	req := p.first
	if p.next != nil {
		req = p.next
	}
	req.query.Set("limit", p.limit)
	body, err := p.c.do(ctx, p.tok, req)
	p.limit = req.query.Get("limit")
	if err != nil {
		return nil, fmt.Errorf("%s page %d: %w", p.label, p.page+1, err)
	}
	resp, err := decodePage(body)
	if err != nil {
		return nil, fmt.Errorf("%s page %d: decode: %w", p.label, p.page+1, err)
	}
	if resp.Summary != nil && resp.Summary.TotalCount != nil {
		p.total, p.hasTT = *resp.Summary.TotalCount, true
	}
	if resp.Paging.Next == "" {
		p.page++
		p.done = true
		if a := resp.Paging.Cursors.After; a != "" {
			p.after = a
		}
		return resp.Data, nil
	}
	next, err := p.nextRequest(resp.Paging.Next, resp.Paging.Cursors.After)
	if err != nil {
		return nil, fmt.Errorf("%s page %d: %w", p.label, p.page+1, err)
	}
	if next.String() == req.String() {
		return nil, fmt.Errorf("%s page %d: %w", p.label, p.page+1, errNoProgress)
	}
	p.page++
	p.next = next
	p.after = cmpOrString(resp.Paging.Cursors.After, next.query.Get("after"))
	return resp.Data, nil
}

var errNoProgress = errors.New("paging.next repeats the current page")

// nextRequest turns paging.next into a request against the configured base
// URL: the token goes in the header, never to a host the API named. An
// unreadable next falls back to the edge's own request with cursors.after.
func (p *Pager) nextRequest(next, after string) (*request, error) {
	u, err := url.Parse(next)
	if err != nil || u.Path == "" {
		if after == "" {
			return nil, errors.New("unreadable paging.next and no cursors.after")
		}
		q := url.Values{}
		for k, v := range p.first.query {
			q[k] = append([]string(nil), v...)
		}
		q.Set("after", after)
		return &request{path: p.first.path, query: q}, nil
	}
	q := u.Query()
	q.Del("access_token")
	return &request{path: u.Path, query: q}, nil
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Decode unmarshals every item of a page into a T (Insight, Ad, …).
func Decode[T any](data []json.RawMessage) ([]T, error) {
	out := make([]T, len(data))
	for i, raw := range data {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	return out, nil
}
