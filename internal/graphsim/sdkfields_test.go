package graphsim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// allFields is every readable field the SDK declares for class, as a
// fields parameter.
func allFields(class string) string {
	var names []string
	for _, f := range sdkClasses[class].fields {
		names = append(names, f.name)
	}
	return strings.Join(names, ",")
}

// checkType reports how v fails to be a value of the declared type t.
func checkType(t *fieldType, v any) error {
	switch t.kind {
	case tString:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%v (%T) is not a string", v, v)
		}
	case tInt, tFloat:
		f, ok := v.(float64)
		if !ok || (t.kind == tInt && f != float64(int64(f))) {
			return fmt.Errorf("%v (%T) is not a %s", v, v, map[typeKind]string{tInt: "integer", tFloat: "number"}[t.kind])
		}
	case tBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%v (%T) is not a boolean", v, v)
		}
	case tTime:
		s, _ := v.(string)
		if _, err := time.Parse("2006-01-02T15:04:05-0700", s); err != nil {
			return fmt.Errorf("%v is not a Graph datetime", v)
		}
	case tEnum:
		if s, _ := v.(string); !slices.Contains(t.enum, s) {
			return fmt.Errorf("%v is none of %v", v, t.enum)
		}
	case tList:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%v (%T) is not a list", v, v)
		}
		for _, e := range l {
			if err := checkType(t.elem, e); err != nil {
				return fmt.Errorf("element: %w", err)
			}
		}
	case tMap, tObject:
		if t.kind == tObject && t.class == "" {
			return nil // the SDK's untyped Object: any JSON value
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%v (%T) is not an object", v, v)
		}
		c := sdkClasses[t.class]
		for k, e := range m {
			switch {
			case t.kind == tMap:
				if err := checkType(t.elem, e); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			case c != nil:
				ft, ok := c.field(k)
				if !ok {
					return fmt.Errorf("%s is not a field of %s", k, t.class)
				}
				if err := checkType(ft, e); err != nil {
					return fmt.Errorf("%s.%s: %w", t.class, k, err)
				}
			}
		}
	}
	return nil
}

// TestEveryDeclaredFieldAnswers asks every edge for every field the SDK
// declares for its class at once and checks each field comes back, on some
// object, with a value of its declared type.
func TestEveryDeclaredFieldAnswers(t *testing.T) {
	h := newHarness(t, Options{Seed: 31, Ads: 400, Accounts: 2, CallBudget: 1e9})
	h.advance(20 * time.Hour)
	ads, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"100"}, "effective_status": {allStatuses}, "fields": {"id,creative{video_id}"}})
	var videos []string
	for _, a := range ads {
		if v, ok := a["creative"].(map[string]any)["video_id"].(string); ok {
			videos = append(videos, v)
		}
	}
	tests := []struct {
		class, path string
		nested      string // the ads edge's expansion the objects come from
		params      url.Values
		// absent are fields no object of this world has a value for, and why.
		absent []string
	}{
		{class: "Ad", path: "/" + h.acct + "/ads", params: url.Values{"effective_status": {allStatuses}}},
		{class: "AdCreative", path: "/" + h.acct + "/adcreatives"},
		{class: "AdSet", path: "/" + h.acct + "/adsets", params: url.Values{"effective_status": {groupStatuses("AdSet")}}},
		{class: "Campaign", path: "/" + h.acct + "/campaigns", params: url.Values{"effective_status": {groupStatuses("Campaign")}}},
		{class: "AdSet", path: "/" + h.acct + "/ads", nested: "adset", params: url.Values{"effective_status": {allStatuses}}},
		{class: "Campaign", path: "/" + h.acct + "/ads", nested: "campaign", params: url.Values{"effective_status": {allStatuses}}},
		{class: "AdImage", path: "/" + h.acct + "/adimages"},
		{class: "AdVideo", path: "/" + h.acct + "/advideos"},
		{class: "CustomConversion", path: "/" + h.acct + "/customconversions"},
		{class: "CustomAudience", path: "/" + h.acct + "/customaudiences"},
		{class: "AdActivity", path: "/" + h.acct + "/activities"},
		{class: "BusinessUser", path: "/me/business_users"},
		{class: "AssignedUser", path: "/" + h.acct + "/assigned_users", params: url.Values{"business": {h.sim.w.brands[0].businessID}}},
		{class: "VideoThumbnail", path: "/" + videos[0] + "/thumbnails"},
		{class: "AdAccount", path: "/me/adaccounts"},
		{class: "AdVideo", path: "/", params: url.Values{"ids": {strings.Join(videos[:min(len(videos), 20)], ",")}}},
		{class: "AdsInsights", path: "/" + h.acct + "/insights", params: url.Values{"level": {"ad"}, "time_increment": {"7"},
			"time_range": {`{"since":"2026-11-01","until":"2026-11-28"}`}},
			absent: []string{"adset_end"}}, // ad sets run without an end
	}
	for _, tt := range tests {
		t.Run(tt.class+tt.path, func(t *testing.T) {
			q := url.Values{"limit": {"100"}}
			for k, v := range tt.params {
				q[k] = v
			}
			nested := tt.nested
			if nested != "" {
				q.Set("fields", nested+"{"+allFields(tt.class)+"}")
			} else {
				q.Set("fields", allFields(tt.class))
			}
			var objs []map[string]any
			if tt.path == "/" {
				code, _, b := h.get("/v21.0/", q)
				if code != 200 {
					t.Fatalf("%d %s", code, b)
				}
				for _, o := range decode[map[string]map[string]any](t, b) {
					objs = append(objs, o)
				}
			} else {
				objs, _ = h.pageAll("/v21.0"+tt.path, q)
			}
			if nested != "" {
				for i, o := range objs {
					objs[i] = o[nested].(map[string]any)
				}
			}
			if len(objs) < 2 {
				t.Fatalf("%d objects, want several", len(objs))
			}
			c := sdkClasses[tt.class]
			for _, f := range c.fields {
				seen := 0
				for _, o := range objs {
					v, ok := o[f.name]
					if !ok {
						continue
					}
					seen++
					if err := checkType(c.types[f.name], v); err != nil {
						t.Fatalf("%s.%s (declared %s): %v", tt.class, f.name, f.typ, err)
					}
				}
				if seen == 0 && !slices.Contains(tt.absent, f.name) {
					t.Errorf("%s.%s: no object of %d has it", tt.class, f.name, len(objs))
				}
			}
		})
	}
}

// groupStatuses is every effective status of the class, as a JSON list.
func groupStatuses(class string) string {
	return `["` + strings.Join(sdkClasses[class].enums["EffectiveStatus"], `","`) + `"]`
}

// TestUndeclaredFieldsKeepTheRealError asks for a name no class has and for
// the SDK's create-only parameters, which the API refuses as fields.
func TestUndeclaredFieldsKeepTheRealError(t *testing.T) {
	h := newHarness(t, Options{Seed: 31, Ads: 10})
	tests := []struct{ path, fields, want string }{
		{"/" + h.acct + "/ads", "id,no_such_field", "Tried accessing nonexisting field (no_such_field) on node type (Adgroup)"},
		{"/" + h.acct + "/ads", "id,filename", "Tried accessing nonexisting field (filename) on node type (Adgroup)"},
		{"/" + h.acct + "/ads", "id,execution_options", "Tried accessing nonexisting field (execution_options) on node type (Adgroup)"},
		{"/" + h.acct + "/ads", "adset{bogus}", "Tried accessing nonexisting field (bogus) on node type (AdCampaign)"},
		{"/" + h.acct + "/ads", "campaign{adbatch}", "Tried accessing nonexisting field (adbatch) on node type (AdCampaignGroup)"},
		{"/" + h.acct + "/adcreatives", "id,image_file", "Tried accessing nonexisting field (image_file) on node type (AdCreative)"},
		{"/" + h.acct, "id,bogus", "Tried accessing nonexisting field (bogus) on node type (AdAccount)"},
		{"/" + h.acct + "/insights", "spend,bogus,nope", "bogus, nope are not valid for fields param"},
	}
	for _, tt := range tests {
		t.Run(tt.fields, func(t *testing.T) {
			code, _, b := h.get("/v21.0"+tt.path, url.Values{"fields": {tt.fields}})
			e := decode[graphErr](t, b)
			if code != 400 || e.Error.Code != 100 || !strings.Contains(e.Error.Message, tt.want) {
				t.Fatalf("%d %s, want code 100 saying %q", code, b, tt.want)
			}
		})
	}
}
