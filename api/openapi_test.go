package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
)

// openAPIDoc is the part of an OpenAPI 3.0 document the tests read.
type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
}

type openAPIOperation struct {
	OperationID string         `json:"operationId"`
	Parameters  []openAPIParam `json:"parameters"`
	Responses   map[string]any `json:"responses"`
	Extra       map[string]any `json:"-"`
}

type openAPIParam struct {
	Name     string         `json:"name"`
	In       string         `json:"in"`
	Required bool           `json:"required"`
	Desc     string         `json:"description"`
	Schema   map[string]any `json:"schema"`
}

func loadOpenAPI(t *testing.T, raw []byte) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the OpenAPI document does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	return doc
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// servedOperations lists "METHOD /path" of every route the app serves, in
// OpenAPI's path syntax, without the catch-all and Fiber's HEAD twins.
func servedOperations(t *testing.T) []string {
	a := newTestAPI(t, newFakeStore())
	var out []string
	for _, r := range a.app.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Path == "/" || strings.HasPrefix(r.Path, "/assets/") { // the page is no API
			continue
		}
		op := r.Method + " " + fiberParam.ReplaceAllString(r.Path, "{$1}")
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	return out
}

func documentedOperations(doc openAPIDoc) []string {
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// The served document and the app's routes name the same operations.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	r := newTestAPI(t, newFakeStore())
	status, body := r.do(t, http.MethodGet, "/openapi.json", "")
	if status != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", status)
	}
	served, documented := servedOperations(t), documentedOperations(loadOpenAPI(t, body))
	if len(served) < 10 {
		t.Fatalf("only %d routes found: %v", len(served), served)
	}
	for _, op := range served {
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is not in api/openapi.json", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("api/openapi.json documents %s, which the app does not serve", op)
		}
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func TestOpenAPIOperationsAreComplete(t *testing.T) {
	doc := loadOpenAPI(t, api.OpenAPI)
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			name := strings.ToUpper(method) + " " + path
			if len(op.Responses) == 0 {
				t.Errorf("%s has no responses", name)
			}
			if !slices.ContainsFunc(slices.Collect(maps.Keys(op.Responses)), func(code string) bool { return strings.HasPrefix(code, "2") }) {
				t.Errorf("%s has no 2xx response", name)
			}
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", name)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %s", name, other, op.OperationID)
			}
			ids[op.OperationID] = name
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(op.Parameters, func(p openAPIParam) bool { return p.In == "path" && p.Name == m[1] && p.Required }) {
					t.Errorf("%s does not declare its path parameter %s as required", name, m[1])
				}
			}
			if strings.HasPrefix(path, "/api/") && op.Responses["401"] == nil {
				t.Errorf("%s does not document 401 (every /api route needs a key)", name)
			}
		}
	}
}

// Every $ref points at a component the document defines.
func TestOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				n++
				var at any = doc
				for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := at.(map[string]any)
					at = m[seg]
				}
				if at == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if n == 0 {
		t.Fatal("no $ref found: the walk is broken")
	}
}

// The list's sortBy and filters stay in step with what the store allows.
func TestOpenAPIListParametersMatchTheStore(t *testing.T) {
	doc := loadOpenAPI(t, api.OpenAPI)
	op := doc.Paths["/api/creatives/{brandId}"]["get"]
	var names []string
	for _, p := range op.Parameters {
		names = append(names, p.In+":"+p.Name)
		if p.Name != "sortBy" {
			continue
		}
		var enum []string
		for _, v := range p.Schema["enum"].([]any) {
			enum = append(enum, v.(string))
		}
		slices.Sort(enum)
		want := slices.Sorted(maps.Keys(store.SortColumns))
		if !slices.Equal(enum, want) {
			t.Errorf("sortBy enum = %v, want the store's sort columns %v", enum, want)
		}
	}
	want := []string{"path:brandId", "query:startDate", "query:endDate", "query:page", "query:limit", "query:sortBy", "query:sortOrder", "query:filters"}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("GET /api/creatives/{brandId} lacks parameter %s (has %v)", w, names)
		}
	}
	desc := ""
	for _, p := range op.Parameters {
		if p.Name == "filters" {
			desc = p.Desc
		}
	}
	for k := range store.FilterColumns {
		if !strings.Contains(desc, k) {
			t.Errorf("the filters parameter does not name filter key %s", k)
		}
	}
}
