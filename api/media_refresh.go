package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/tokenbox"
)

// The video and thumbnail URLs the Graph API hands out are signed CDN URLs
// that stop working after a few days (their oe). A read that is about to
// hand one out takes, of the URL a sync stored and those refreshed since,
// the one that expires last; when that one expires within mediaMargin, it
// first asks the Graph API for a new one (batched /?ids=, through the
// rate-limit aware client) and stores it in media_urls, so the next read
// has it without a call.
const (
	// mediaMargin is how long a URL handed out stays valid at least: a
	// worker that takes a feed page has this long to download it.
	mediaMargin = time.Hour
	// assumedURLLife is how long a URL without a signed expiry is taken
	// to last after it was fetched.
	assumedURLLife = 24 * time.Hour
	// refreshTimeout bounds the Graph API calls of one read; past it the
	// read hands out what it has.
	refreshTimeout = 10 * time.Second
	// throttledPause is how long a brand's refreshes stay off after the
	// Graph API throttled one and did not say for how long.
	throttledPause = time.Minute
)

// storedURL is a URL as a sync stored it, and when the sync fetched it.
type storedURL struct {
	URL       string
	FetchedAt time.Time
}

// expiry is when u stops working: its signed expiry, else assumedURLLife
// after it was fetched; an empty URL never worked.
func (u storedURL) expiry() store.MediaURL {
	if u.URL == "" {
		return store.MediaURL{}
	}
	if at, ok := graph.URLExpiry(u.URL); ok {
		return store.MediaURL{URL: u.URL, ExpiresAt: at}
	}
	return store.MediaURL{URL: u.URL, ExpiresAt: u.FetchedAt.Add(assumedURLLife)}
}

// mediaReport says what a read's refresh did, for its answer.
type mediaReport struct {
	Refreshed int     `json:"refreshed"` // URLs fetched again and stored
	Failed    int     `json:"failed"`    // expiring URLs handed out as they were
	Error     *string `json:"error"`     // why they failed; null when none did
}

// mediaRefresher refreshes a read's expiring media URLs. It is safe for
// concurrent use; two reads refreshing one URL at once both ask the Graph
// API, and the later stored URL wins.
type mediaRefresher struct {
	store  VideoStore // nil: nothing is refreshed or read
	graph  *graph.Client
	tokens *tokenbox.Box
	now    func() time.Time // the clock the URLs expire by
	log    *slog.Logger
	counts *prometheus.CounterVec

	mu    sync.Mutex
	quiet map[string]time.Time // brand → no refresh before (the Graph API throttled it)
}

// newMediaRefresher builds the refresher of deps' store, Graph API and
// media clock; its counter is registered on reg (nil: unregistered), both
// results at zero.
func newMediaRefresher(deps Deps, reg prometheus.Registerer) *mediaRefresher {
	m := &mediaRefresher{store: deps.Videos, graph: deps.Graph, tokens: deps.Tokens, now: deps.MediaNow, log: deps.Log,
		quiet: map[string]time.Time{},
		counts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adstream_media_url_refreshes_total",
			Help: "Expiring video and thumbnail URLs the API asked the Graph API for again, by result (refreshed, failed).",
		}, []string{"result"})}
	if m.now == nil {
		m.now = time.Now
	}
	m.counts.WithLabelValues("refreshed")
	m.counts.WithLabelValues("failed")
	if reg != nil {
		reg.MustRegister(m.counts)
	}
	return m
}

// fresh returns, for every key, the URL to hand out and its expiry,
// refreshing those that expire within mediaMargin. A failed refresh is
// reported, never returned: the read goes on with the URLs it has. Only a
// store error fails it.
func (m *mediaRefresher) fresh(ctx context.Context, brand store.Brand, stored map[store.MediaKey]storedURL) (map[store.MediaKey]store.MediaURL, mediaReport, error) {
	out := make(map[store.MediaKey]store.MediaURL, len(stored))
	if m.store == nil || len(stored) == 0 {
		for k, u := range stored {
			out[k] = u.expiry()
		}
		return out, mediaReport{}, nil
	}
	refreshed, err := m.store.MediaURLs(ctx, brand.BrandID, slices.Collect(maps.Keys(stored)))
	if err != nil {
		return nil, mediaReport{}, err
	}
	now := m.now()
	var due []store.MediaKey
	for k, u := range stored {
		best := u.expiry()
		if r, ok := refreshed[k]; ok && r.ExpiresAt.After(best.ExpiresAt) {
			best = r
		}
		out[k] = best
		// An object without any URL is left alone: asking again every
		// read would not give it one.
		if best.URL != "" && best.ExpiresAt.Before(now.Add(mediaMargin)) {
			due = append(due, k)
		}
	}
	if len(due) == 0 {
		return out, mediaReport{}, nil
	}
	got, err := m.refresh(ctx, brand, due, now)
	maps.Copy(out, got)
	rep := mediaReport{Refreshed: len(got), Failed: len(due) - len(got)}
	if err != nil {
		msg := err.Error()
		rep.Error = &msg
		m.log.Warn("media url refresh failed; handing out the stored urls", "brand", brand.BrandID, "due", len(due), "refreshed", len(got), "err", err)
	}
	m.counts.WithLabelValues("refreshed").Add(float64(rep.Refreshed))
	m.counts.WithLabelValues("failed").Add(float64(rep.Failed))
	return out, rep, nil
}

// refresh asks the Graph API for the keys' current URLs and stores them. It
// returns those it got, and why it did not get the others (an object the
// Graph API no longer has is no error: it just has no URL).
func (m *mediaRefresher) refresh(ctx context.Context, brand store.Brand, due []store.MediaKey, now time.Time) (map[store.MediaKey]store.MediaURL, error) {
	if m.graph == nil || m.tokens == nil {
		return nil, errors.New("no Graph API is configured to refresh expired URLs (ADSTREAM_GRAPH_URL and ADSTREAM_TOKEN_KEY)")
	}
	m.mu.Lock()
	until := m.quiet[brand.BrandID]
	m.mu.Unlock()
	if time.Now().Before(until) {
		return nil, fmt.Errorf("the Graph API throttled this brand's calls; refreshing again after %s", until.UTC().Format(time.RFC3339))
	}
	plain, err := m.tokens.Open(brand.TokenCiphertext)
	if err != nil {
		return nil, fmt.Errorf("brand %s token: %w", brand.BrandID, err)
	}
	tok := graph.Token(plain)
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	got := map[store.MediaKey]store.MediaURL{}
	var errs []error
	for _, kind := range []store.MediaKind{store.MediaVideoSource, store.MediaThumbnail} {
		var ids []string
		for _, k := range due {
			if k.Kind == kind {
				ids = append(ids, k.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		field := graph.FieldVideoSource
		if kind == store.MediaThumbnail {
			field = graph.FieldCreativeThumbnail
		}
		urls, _, err := m.graph.MediaURLs(ctx, tok, ids, field)
		if err != nil {
			m.pauseIfThrottled(brand.BrandID, err)
			errs = append(errs, err)
			continue
		}
		for id, u := range urls {
			exp, ok := graph.URLExpiry(u)
			if !ok {
				exp = now.Add(assumedURLLife)
			}
			got[store.MediaKey{Kind: kind, ID: id}] = store.MediaURL{URL: u, ExpiresAt: exp}
		}
	}
	// Stored even when the read's context ended: the URLs are paid for.
	if err := m.store.PutMediaURLs(context.WithoutCancel(ctx), brand.BrandID, got, time.Now().UTC()); err != nil {
		errs = append(errs, err)
	}
	return got, errors.Join(errs...)
}

// pauseIfThrottled stops the brand's refreshes for as long as the Graph API
// asked, so reads do not keep spending its budget.
func (m *mediaRefresher) pauseIfThrottled(brandID string, err error) {
	var ae *graph.APIError
	if !errors.As(err, &ae) || !ae.Throttled() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.quiet[brandID] = time.Now().Add(max(ae.RetryAfter, throttledPause))
}
