package graphsim

import (
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"
)

// genCtx values the fields graphsim does not model one by one: every field
// the SDK declares answers something of its declared type, derived from the
// object's seed and the field's name, so it is the same on every call and
// on every edge that shows the object.
type genCtx struct {
	r       *request
	seed    uint64    // the object's own seed
	created time.Time // the object's creation, for dates
}

// maxGenDepth bounds how deep nested objects are filled in by default.
const maxGenDepth = 2

func nameHash(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

// nameFacts are what a field's name says about its value, worked out once
// per name: pages ask for the same few hundred names on every row.
type nameFacts struct {
	hash uint64
	kind stringKind
}

var nameCache sync.Map // name → nameFacts

func factsOf(name string) nameFacts {
	if f, ok := nameCache.Load(name); ok {
		return f.(nameFacts)
	}
	f := nameFacts{hash: nameHash(name), kind: classifyString(name)}
	nameCache.Store(name, f)
	return f
}

func (g *genCtx) hash(name string) uint64 { return h(g.seed, factsOf(name).hash, 0, 0) }

// genField writes f with a plausible value of type t.
func (g *genCtx) genField(j *jw, f field, t *fieldType) {
	j.key(f.name)
	g.genValue(j, f.name, t, f.sub, 0)
}

func (g *genCtx) genValue(j *jw, name string, t *fieldType, sub []field, depth int) {
	x := g.hash(name)
	switch t.kind {
	case tString:
		j.str(g.genString(name, x))
	case tInt:
		j.int(genInt(name, x))
	case tFloat:
		j.num(float64(x%10_000) / 100)
	case tBool:
		j.boolean(x&1 == 1)
	case tTime:
		j.str(graphTime(g.genTime(name, x)))
	case tEnum:
		j.str(t.enum[x%uint64(len(t.enum))])
	case tList:
		j.arr()
		g.genValue(j, name, t.elem, sub, depth)
		j.endArr()
	case tMap:
		j.obj()
		j.key(strings.ToUpper(singular(name)))
		g.genValue(j, name, t.elem, sub, depth+1)
		j.endObj()
	case tObject:
		g.genObject(j, name, t, sub, depth)
	}
}

// genObject writes an object of t's class: the asked subfields, else the id
// of a node (as the API expands nested nodes), else the first few plain
// fields of a struct.
func (g *genCtx) genObject(j *jw, name string, t *fieldType, sub []field, depth int) {
	c := sdkClasses[t.class]
	j.obj()
	switch {
	case c == nil:
		j.kstr("id", genID(g.hash(name+".id")))
	case len(sub) > 0:
		for _, f := range sub {
			if ft, ok := c.field(f.name); ok {
				j.key(f.name)
				g.genValue(j, name+"."+f.name, ft, f.sub, depth+1)
			}
		}
	case c.crud:
		j.kstr("id", genID(g.hash(name+".id")))
	case depth < maxGenDepth:
		n := 0
		for _, f := range c.fields {
			ft := c.types[f.name]
			if ft.kind == tList || ft.kind == tMap || ft.kind == tObject {
				continue
			}
			j.key(f.name)
			g.genValue(j, name+"."+f.name, ft, nil, depth+1)
			if n++; n == 4 {
				break
			}
		}
	}
	j.endObj()
}

func genID(x uint64) string { return strconv.FormatUint(100_000_000_000_000+x%900_000_000_000_000, 10) }

// stringKind is what a string field holds, judged by its name.
type stringKind uint8

const (
	sText stringKind = iota
	sID
	sHash
	sURL
	sTime
	sCurrency
	sCountry
	sTimezone
	sEmail
	sDomain
	sStatus
	sMoney
	sSmallNumber
	sCode
)

func classifyString(name string) stringKind {
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(name, p) {
				return true
			}
		}
		return false
	}
	switch {
	case name == "id" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, ".id"):
		return sID
	case has("hash"):
		return sHash
	case has("url", "uri", "link", "permalink", "href"):
		return sURL
	case strings.HasSuffix(name, "_time") || has("date"):
		return sTime
	case has("currency"):
		return sCurrency
	case has("country"):
		return sCountry
	case has("timezone"):
		return sTimezone
	case has("email"):
		return sEmail
	case has("domain"):
		return sDomain
	case has("status", "state"):
		return sStatus
	case has("budget", "spend", "amount", "balance", "cap", "bid", "cost", "price"):
		return sMoney
	case has("count", "number", "percent", "rate", "score", "ratio", "days"):
		return sSmallNumber
	case has("type", "kind", "mode", "category", "objective", "goal", "tier", "level", "source"):
		return sCode
	}
	return sText
}

// genString picks a string that reads like the field: ids for *_id, URLs for
// links, money in minor units for budgets, and so on.
func (g *genCtx) genString(name string, x uint64) string {
	switch factsOf(name).kind {
	case sID:
		return genID(x)
	case sHash:
		return strconv.FormatUint(x, 16)
	case sURL:
		return "https://shop.example.com/" + strings.ReplaceAll(name, "_", "-") + "/" + strconv.FormatUint(x%1000+1, 10)
	case sTime:
		return graphTime(g.genTime(name, x))
	case sCurrency:
		return "USD"
	case sCountry:
		return "US"
	case sTimezone:
		return "Etc/UTC"
	case sEmail:
		return "user" + strconv.FormatUint(x%1000+1, 10) + "@example.com"
	case sDomain:
		return "shop.example.com"
	case sStatus:
		return "ACTIVE"
	case sMoney:
		return strconv.FormatUint(x%100_000, 10)
	case sSmallNumber:
		return strconv.FormatUint(x%100, 10)
	case sCode:
		return "DEFAULT"
	}
	return humanize(name) + " " + strconv.FormatUint(x%1000+1, 10)
}

func genInt(name string, x uint64) int64 {
	switch {
	case strings.Contains(name, "age_min"):
		return 18
	case strings.Contains(name, "age_max"):
		return 65
	case strings.Contains(name, "days"):
		return []int64{1, 7, 28}[x%3]
	case strings.Contains(name, "width"), strings.Contains(name, "height"):
		return []int64{600, 1080, 1920}[x%3]
	case strings.Contains(name, "percent"):
		return int64(x % 101)
	case strings.HasPrefix(name, "time_") || strings.HasSuffix(name, "_time"):
		return 1_760_000_000 + int64(x%10_000_000)
	}
	return int64(x % 1000)
}

// genTime is within the 90 days after the object's creation, never later
// than the simulated clock.
func (g *genCtx) genTime(name string, x uint64) time.Time {
	if strings.Contains(name, "created") || strings.Contains(name, "start") {
		return g.created
	}
	t := g.created.Add(time.Duration(x%(90*24)) * time.Hour)
	if g.r != nil && t.After(g.r.now) {
		return g.r.now.Truncate(time.Second)
	}
	return t
}

// humanize turns a field name into words: "existing_post_title" → "Existing post title".
func humanize(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return "Value"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func singular(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "s")
}
