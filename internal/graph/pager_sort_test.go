package graph

import (
	"cmp"
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/adstream/adstream/internal/graphsim"
)

// TestPagerWithSortSendsJSONList checks the sort reaches every page's
// request in the form Meta's SDKs send it.
func TestPagerWithSortSendsJSONList(t *testing.T) {
	tests := []struct {
		name string
		give func(*Pager) *Pager
		want string // the sort parameter of every request
	}{
		{"one sort", func(p *Pager) *Pager { return p.WithSort("spend_descending") }, `["spend_descending"]`},
		{"last sort wins", func(p *Pager) *Pager { return p.WithSort("reach").WithSort("ctr_ascending") }, `["ctr_ascending"]`},
		{"empty removes", func(p *Pager) *Pager { return p.WithSort("spend_descending").WithSort("") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, pagedItems(7))
			p := tt.give(h.c.Insights(context.Background(), testToken, "act_1", "2024-01-01", "2024-01-31", nil)).WithLimit(3)
			if _, pages := drain(t, p); pages != 3 {
				t.Fatalf("%d pages, want 3", pages)
			}
			for i, r := range h.calls {
				if got := r.URL.Query().Get("sort"); got != tt.want {
					t.Errorf("request %d sort = %q, want %q", i+1, got, tt.want)
				}
			}
		})
	}
}

// TestInsightsTopBySpend is the fallback's call against graphsim: one page
// of 30 sorted by spend is the account's 30 biggest spenders of the range.
func TestInsightsTopBySpend(t *testing.T) {
	sim, err := graphsim.New(graphsim.Options{Seed: 5, Ads: 600})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	brand := sim.Brands()[0]
	tok, acct := Token(brand.AccessToken), brand.AdAccountIDs[0]
	const since, until = "2026-10-29", "2026-11-27"

	var all []Insight
	p := c.Insights(ctx, tok, acct, since, until, nil)
	for !p.Done() {
		raw, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := Decode[Insight](raw)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rows...)
	}
	slices.SortStableFunc(all, func(x, y Insight) int { return cmp.Compare(y.SpendMicros, x.SpendMicros) })

	p = c.Insights(ctx, tok, acct, since, until, nil).WithSort("spend_descending").WithLimit(30)
	raw, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	top, err := Decode[Insight](raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 30 || p.Done() {
		t.Fatalf("first page: %d rows, done %v; want 30 and more to come", len(top), p.Done())
	}
	for i := range top {
		if top[i].AdID != all[i].AdID {
			t.Fatalf("row %d is ad %s spending %d µ; biggest spender #%d is %s spending %d µ",
				i, top[i].AdID, top[i].SpendMicros, i+1, all[i].AdID, all[i].SpendMicros)
		}
	}

	_, err = c.Insights(ctx, tok, acct, since, until, nil).WithSort("ad_name_descending").Next(ctx)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 100 {
		t.Fatalf("sorting by ad_name: error %v, want an *APIError with code 100", err)
	}
}
