package graphsim

import (
	"strconv"
	"time"
)

// Each account has a fixed set of custom conversions and custom audiences,
// all on its pixel, so ad set targeting and conversion specs have something
// real to point at.

var customConversions = []struct{ name, event, rule string }{
	{"Purchase over $100", "PURCHASE", `{"and":[{"event":{"eq":"Purchase"}},{"value":{"gt":100}}]}`},
	{"Checkout started", "INITIATED_CHECKOUT", `{"and":[{"event":{"eq":"InitiateCheckout"}}]}`},
	{"Added to cart - sale", "ADD_TO_CART", `{"and":[{"event":{"eq":"AddToCart"}},{"url":{"i_contains":"/sale"}}]}`},
	{"Newsletter signup", "COMPLETE_REGISTRATION", `{"and":[{"url":{"i_contains":"/newsletter/thanks"}}]}`},
	{"Viewed bestsellers", "CONTENT_VIEW", `{"and":[{"url":{"i_contains":"/collections/bestsellers"}}]}`},
	{"Contact form", "CONTACT", `{"and":[{"url":{"i_contains":"/contact/sent"}}]}`},
}

var customAudiences = []struct {
	name, subtype, description string
	retention                  int64
	size                       int64
}{
	{"Website visitors 30d", "WEBSITE", "All website visitors in the last 30 days", 30, 180_000},
	{"Purchasers 180d", "WEBSITE", "People who purchased in the last 180 days", 180, 42_000},
	{"Cart abandoners 14d", "WEBSITE", "Added to cart, did not purchase, last 14 days", 14, 9_500},
	{"Lookalike (US, 1%) - Purchasers 180d", "LOOKALIKE", "1% lookalike of purchasers in the US", 0, 2_300_000},
	{"Customer list 2026", "CUSTOM", "Customers uploaded from the shop's CRM", 0, 61_000},
	{"Video viewers 50% 90d", "ENGAGEMENT", "Watched half of any video ad, last 90 days", 90, 240_000},
	{"Instagram engagers 365d", "ENGAGEMENT", "Engaged with the brand's Instagram account", 365, 310_000},
	{"Newsletter subscribers", "CUSTOM", "Subscribers to the weekly newsletter", 0, 28_000},
}

// serveCustomConversions answers act_{id}/customconversions.
func (s *Server) serveCustomConversions(r *request, acct int) ([]byte, int, *graphError) {
	return s.serveFixedList(r, acct, "customconversions", "CustomConversion", len(customConversions), nil, s.w.renderCustomConversion)
}

// serveCustomAudiences answers act_{id}/customaudiences; filtering on id,
// name and subtype narrows it.
func (s *Server) serveCustomAudiences(r *request, acct int) ([]byte, int, *graphError) {
	fl, err := parseFiltering(r.q.Get("filtering"))
	if err != nil {
		return nil, 0, err
	}
	for _, x := range fl {
		switch x.Field {
		case "id", "name", "subtype":
		default:
			return nil, 0, errParam("Filtering field %s is invalid", x.Field)
		}
	}
	match := func(i int) bool {
		for _, x := range fl {
			v := map[string]string{"id": s.w.objectID(acct, i, kindCustomAudience), "name": customAudiences[i].name, "subtype": customAudiences[i].subtype}[x.Field]
			if !x.matchString(v) {
				return false
			}
		}
		return true
	}
	return s.serveFixedList(r, acct, "customaudiences", "CustomAudience", len(customAudiences), match, s.w.renderCustomAudience)
}

// serveFixedList pages a small fixed list of an account's objects.
func (s *Server) serveFixedList(r *request, acct int, edge, class string, n int, match func(int) bool,
	render func(j *jw, r *request, acct, i int, fs []field)) ([]byte, int, *graphError) {
	fs, err := requestFields(r, []field{{name: "id"}})
	if err != nil {
		return nil, 0, err
	}
	if err := checkNodeFields(fs, class); err != nil {
		return nil, 0, err
	}
	limit, err := pageLimit(r, s.maxPage())
	if err != nil {
		return nil, 0, err
	}
	scan := func(from int64, hasFrom, forward bool, yield func(int64, func(*jw)) bool) {
		i, step := walkStart(int64(n), from, hasFrom, forward)
		for ; i >= 0 && i < int64(n); i += step {
			if match != nil && !match(int(i)) {
				continue
			}
			if !yield(i, func(j *jw) { render(j, r, acct, int(i), fs) }) {
				return
			}
		}
	}
	return page(r, edge, limit, scan, totalCount(r, scan))
}

// libraryCreated is when an account's conversions and audiences were set up.
func (w *world) libraryCreated(i int) time.Time {
	return w.start.Add(-time.Duration(300-i*17) * 24 * time.Hour)
}

func (w *world) renderCustomConversion(j *jw, r *request, acct, i int, fs []field) {
	c := customConversions[i]
	created := w.libraryCreated(i)
	gen := genCtx{r: r, seed: h(uint64(w.seed), saltPixel, uint64(acct), uint64(i)+1), created: created}
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", w.objectID(acct, i, kindCustomConversion))
		case "name":
			j.kstr("name", c.name)
		case "custom_event_type":
			j.kstr(f.name, c.event)
		case "rule":
			j.kstr("rule", c.rule)
		case "account_id":
			j.kstr(f.name, w.accounts[acct].num)
		case "pixel":
			j.key("pixel")
			j.obj()
			j.kstr("id", w.pixelID(acct))
			j.endObj()
		case "creation_time", "first_fired_time":
			j.kstr(f.name, graphTime(created))
		case "last_fired_time":
			j.kstr(f.name, graphTime(r.now.Add(-time.Duration(i+1)*17*time.Minute).Truncate(time.Second)))
		case "is_archived", "is_unavailable":
			j.key(f.name)
			j.boolean(false)
		case "event_source_type":
			j.kstr(f.name, "pixel")
		case "retention_days":
			j.kint(f.name, 180)
		case "default_conversion_value":
			j.kint(f.name, 0)
		case "description":
			j.kstr(f.name, c.name+" on "+w.brands[w.accounts[acct].brand].name+"'s shop")
		default:
			if t, ok := sdkClasses["CustomConversion"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

func (w *world) renderCustomAudience(j *jw, r *request, acct, i int, fs []field) {
	c := customAudiences[i]
	created := w.libraryCreated(i)
	gen := genCtx{r: r, seed: h(uint64(w.seed), saltAudience, uint64(acct), uint64(i)+1<<32), created: created}
	size := c.size * (90 + int64(h(uint64(w.seed), saltAudience, uint64(acct), uint64(i))%20)) / 100
	j.obj()
	for _, f := range fs {
		switch f.name {
		case "id":
			j.kstr("id", w.objectID(acct, i, kindCustomAudience))
		case "name":
			j.kstr("name", c.name)
		case "description":
			j.kstr("description", c.description)
		case "subtype":
			j.kstr("subtype", c.subtype)
		case "account_id":
			j.kstr(f.name, w.accounts[acct].num)
		case "approximate_count_lower_bound":
			j.kint(f.name, size*9/10)
		case "approximate_count_upper_bound":
			j.kint(f.name, size*11/10)
		case "retention_days":
			j.kint(f.name, c.retention)
		case "time_created", "time_content_updated":
			j.kint(f.name, created.Unix())
		case "time_updated":
			j.kint(f.name, r.now.Add(-time.Duration(i+1)*time.Hour).Unix())
		case "pixel_id":
			if c.subtype == "WEBSITE" {
				j.kstr(f.name, w.pixelID(acct))
			}
		case "delivery_status":
			j.key(f.name)
			status(j, 200, "This audience is ready for use.")
		case "operation_status":
			j.key(f.name)
			status(j, 200, "Normal")
		case "rule":
			if c.subtype == "WEBSITE" {
				j.kstr("rule", `{"inclusions":{"operator":"or","rules":[{"event_sources":[{"id":"`+w.pixelID(acct)+`","type":"pixel"}],"retention_seconds":`+strconv.FormatInt(c.retention*86400, 10)+`}]}}`)
			}
		case "is_value_based", "is_snapshot", "is_household":
			j.key(f.name)
			j.boolean(false)
		default:
			if t, ok := sdkClasses["CustomAudience"].field(f.name); ok {
				gen.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

func status(j *jw, code int64, desc string) {
	j.obj()
	j.kint("code", code)
	j.kstr("description", desc)
	j.endObj()
}
