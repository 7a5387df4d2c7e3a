package graphsim

import (
	"fmt"
	"strconv"
	"time"
)

// world is the immutable part of the simulation: brands, accounts and the
// rules that derive every ad and every daily metric from (seed, account,
// index, day). Nothing per ad is stored, so 100k ads cost no memory.
type world struct {
	seed      int64
	start     time.Time
	base      int64
	ads       int
	adsEvery  time.Duration // one new ad per account every adsEvery; 0 means none
	brands    []brandInfo
	accounts  []account
	byAccount map[string]int // "act_123" and "123" → account index
	byToken   map[string]int // access token → brand index
}

type brandInfo struct {
	id, token, businessID, name string
	accounts                    []int
}

type account struct {
	brand         int
	id, num, name string
}

func newWorld(o Options) *world {
	w := &world{
		seed:      o.Seed,
		start:     o.Now,
		base:      idBase(o.Seed),
		ads:       o.Ads,
		byAccount: map[string]int{},
		byToken:   map[string]int{},
	}
	if o.AdsPerDay > 0 {
		w.adsEvery = 24 * time.Hour / time.Duration(o.AdsPerDay)
	}
	s := uint64(o.Seed)
	for b := 0; b < o.Brands; b++ {
		bi := brandInfo{
			id:         "demo",
			token:      token(o.Seed, b),
			businessID: strconv.FormatUint(1_000_000_000_000_000+h(s, saltBusiness, uint64(b), 0)%900_000_000_000_000, 10),
		}
		if b > 0 {
			bi.id = fmt.Sprintf("brand-%d", b+1)
		}
		bi.name = bi.id
		for a := 0; a < o.Accounts; a++ {
			g := len(w.accounts)
			num := strconv.FormatUint(100_000_000_000_000+h(s, saltAccount, uint64(g), 0)%900_000_000_000_000, 10)
			w.accounts = append(w.accounts, account{
				brand: b,
				id:    "act_" + num,
				num:   num,
				name:  fmt.Sprintf("%s account %d", bi.id, a+1),
			})
			w.byAccount["act_"+num] = g
			w.byAccount[num] = g
			bi.accounts = append(bi.accounts, g)
		}
		w.byToken[bi.token] = b
		w.brands = append(w.brands, bi)
	}
	return w
}

// adCount is how many ads an account has at now: the initial ads plus those
// created since the clock started.
func (w *world) adCount(now time.Time) int {
	n := w.ads
	if w.adsEvery > 0 && now.After(w.start) {
		n += int(now.Sub(w.start) / w.adsEvery)
	}
	return min(n, idMaxIndex-1)
}

// lookupAccount accepts "act_123" or "123".
func (w *world) lookupAccount(id string) (int, bool) {
	g, ok := w.byAccount[id]
	return g, ok
}
