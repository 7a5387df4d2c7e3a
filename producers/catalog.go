package producers

import (
	"maps"
	"sync"
	"time"
)

// adCatalog remembers, per brand and ad account, the creative type and
// status of the ads its last range pass saw, so that a REFRESH re-reads only
// the ads changed since (changedSince) instead of looking every ad of the
// range up again. It lives in the producer's
// memory: after a restart, or on another producer of the group, the first
// job of an account re-reads every ad, as a FULL sync always does. It is safe
// for concurrent use.
type adCatalog struct {
	mu       sync.Mutex
	accounts map[string]*accountAds // by brand + "/" + account
}

// accountAds is what a catalog knows of one account: every change to its
// ads, ad sets and campaigns the API timed before asOf is in ads.
//
// asOf is on the API's clock, never the producer's (graphsim's runs days
// apart from it): the newest updated_time among the ads, less
// catalogMargin. A change the pass missed came after the pass read that
// ad, so after the pass began; the newest updated_time the pass saw is
// before it ended; a pass shorter than catalogMargin thus leaves every
// missed change after asOf, where the next refresh asks for changes.
type accountAds struct {
	asOf    time.Time
	ads     map[string]adMeta
	parents map[string]string // ad set and campaign ids: effective status
}

// catalogMargin is how far before the newest change it saw a catalog
// claims to know an account, and the longest range pass it learns from.
const catalogMargin = 6 * time.Hour

// maxCatalogAccounts bounds the catalog: past it, the account updated
// longest ago is forgotten (some 70 bytes an ad: adMeta).
const maxCatalogAccounts = 64

// known is what the catalog holds for the account, nil when nothing. The
// map it returns is never written again.
func (c *adCatalog) known(brandID, acct string) *accountAds {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accounts[brandID+"/"+acct]
}

// get is what the catalog knows of an ad; a nil accountAds knows nothing.
func (k *accountAds) get(adID string) (adMeta, bool) {
	if k == nil {
		return adMeta{}, false
	}
	m, ok := k.ads[adID]
	return m, ok
}

// learn records the ads a range pass that took took saw and the parents'
// statuses ch found, over what the catalog knew of the account (prev, nil
// for none). A pass that took catalogMargin or longer, or saw no
// updated_time, teaches nothing. learn keeps seen itself when there is no
// prev, instead of a copy (the job's map of every ad of the account, which
// it no longer writes), and ch.parents likewise: the caller must write
// neither afterwards.
func (c *adCatalog) learn(brandID, acct string, took time.Duration, prev *accountAds, seen map[string]adMeta, ch changes) {
	if took >= catalogMargin {
		return
	}
	ads, parents := seen, ch.parents
	if prev != nil {
		ads = make(map[string]adMeta, len(prev.ads)+len(seen))
		maps.Copy(ads, prev.ads)
		maps.Copy(ads, seen)
		parents = make(map[string]string, len(prev.parents)+len(ch.parents))
		maps.Copy(parents, prev.parents)
		maps.Copy(parents, ch.parents)
	}
	var newestUnix int64
	for _, m := range ads {
		newestUnix = max(newestUnix, m.updated)
	}
	if newestUnix == 0 {
		return
	}
	newest := time.Unix(newestUnix, 0).UTC()
	asOf := newest.Add(-catalogMargin)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accounts == nil {
		c.accounts = map[string]*accountAds{}
	}
	if len(c.accounts) >= maxCatalogAccounts {
		var oldest string
		for k, a := range c.accounts {
			if oldest == "" || a.asOf.Before(c.accounts[oldest].asOf) {
				oldest = k
			}
		}
		delete(c.accounts, oldest)
	}
	c.accounts[brandID+"/"+acct] = &accountAds{asOf: asOf, ads: ads, parents: parents}
}
