package graphsim

import (
	"encoding/hex"
	"math"
	"strconv"
)

// mix is the splitmix64 finaliser; every derived value in the world comes from
// it so that the same seed always yields the same world without storing it.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// h hashes a short tuple of integers into 64 bits.
func h(a, b, c, d uint64) uint64 {
	return mix(mix(mix(mix(a)^b)^c) ^ d)
}

// unit maps a hash to [0,1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// between maps a hash to [lo,hi).
func between(x uint64, lo, hi float64) float64 { return lo + unit(x)*(hi-lo) }

// logBetween maps a hash log-uniformly to [lo,hi), which gives the long tail
// real ad spend has.
func logBetween(x uint64, lo, hi float64) float64 {
	return math.Exp(between(x, math.Log(lo), math.Log(hi)))
}

// Salts keep the streams of different attributes independent.
const (
	saltAccount uint64 = iota + 1
	saltToken
	saltBusiness
	saltIDBase
	saltAd
	saltDay
	saltEvent
	saltRestate
	saltName
	saltTrace
	saltGroup
	saltPixel
	saltAudience
	saltSplit
	saltPeople
)

// Object kinds are the last digit of every numeric id graphsim mints, so an id
// alone tells which object it names and which account and index it belongs to.
type objKind int

const (
	kindAd objKind = iota
	kindCreative
	kindVideo
	kindAdset
	kindCampaign
	kindImage
	kindCustomConversion
	kindCustomAudience
	kindUser
)

const (
	idAccountStride = 1_000_000_000 // room for 10^8 indexes per account
	idMaxAccounts   = 10_000
	idMaxIndex      = idAccountStride / 10
)

// idBase gives every seed its own id range, like separate Meta businesses.
func idBase(seed int64) int64 {
	return 120_200_000_000_000_000 + int64(h(uint64(seed), saltIDBase, 0, 0)%9000)*10_000_000_000_000
}

// objectID encodes (account, index, kind) into a numeric id string.
func (w *world) objectID(acct, index int, kind objKind) string {
	return strconv.FormatInt(w.base+int64(acct)*idAccountStride+int64(index)*10+int64(kind), 10)
}

// decodeID reverses objectID; ok is false for ids outside this world.
func (w *world) decodeID(id string) (acct, index int, kind objKind, ok bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, 0, 0, false
	}
	x := n - w.base
	if x < 0 || x >= int64(idMaxAccounts)*idAccountStride {
		return 0, 0, 0, false
	}
	acct = int(x / idAccountStride)
	rest := x % idAccountStride
	if acct >= len(w.accounts) || rest%10 > int64(kindUser) {
		return 0, 0, 0, false
	}
	return acct, int(rest / 10), objKind(rest % 10), true
}

// token mints the access token of a brand: an EAA-prefixed string like real
// user tokens, stable for a seed.
func token(seed int64, brand int) string {
	a := h(uint64(seed), saltToken, uint64(brand), 1)
	b := h(uint64(seed), saltToken, uint64(brand), 2)
	var buf [16]byte
	for i := 0; i < 8; i++ {
		buf[i] = byte(a >> (8 * i))
		buf[8+i] = byte(b >> (8 * i))
	}
	return "EAAGsim" + hex.EncodeToString(buf[:])
}
