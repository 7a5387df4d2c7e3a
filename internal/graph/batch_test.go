package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/graphsim"
)

// adIDs are the ids of the first n ads of the simClient's account.
func (s *simClient) adIDs(t *testing.T, n int) []string {
	t.Helper()
	raw, err := s.c.Ads(context.Background(), s.tok, s.acct, "id").WithLimit(n).Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(raw))
	for i, r := range raw {
		var v struct{ ID string }
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatal(err)
		}
		ids[i] = v.ID
	}
	return ids
}

// A lookup of 120 ads is one batch call instead of three /?ids= calls, and
// returns the same objects.
func TestByIDsBatchedEqualsOneByOne(t *testing.T) {
	s := newSimClient(t, graphsim.Options{Ads: 200}, nil)
	ids := s.adIDs(t, 120)
	ctx := context.Background()

	got, err := s.c.ByIDs(ctx, s.tok, ids, AdFields)
	if err != nil {
		t.Fatal(err)
	}
	if b, i := s.calls("batch"), s.calls("ids"); b != 1 || i != 0 {
		t.Errorf("batched lookup of 120 ids: %d batch and %d ids calls, want 1 and 0", b, i)
	}
	s.c.cfg.NoBatch = true
	want, err := s.c.ByIDs(ctx, s.tok, ids, AdFields)
	if err != nil {
		t.Fatal(err)
	}
	if i := s.calls("ids"); i != 3 {
		t.Errorf("one-by-one lookup of 120 ids: %d ids calls, want 3", i)
	}
	if len(got) != 120 || !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
		t.Fatalf("batched lookup: %d objects; one by one: %d, or they differ", len(got), len(want))
	}
}

// A batch item the API left out (null) or throttled is sent again on its
// own; an item that failed for good fails the lookup with its error.
func TestByIDsRetriesBatchItemsAlone(t *testing.T) {
	tests := []struct {
		name    string
		item2   string // the batch's answer for its second request
		wantErr int    // Graph code of the lookup's error; 0 for none
	}{
		{"not processed", `null`, 0},
		{"throttled", `{"code":400,"body":"{\"error\":{\"message\":\"too many calls\",\"code\":17}}"}`, 0},
		{"unknown object", `{"code":400,"body":"{\"error\":{\"message\":\"Unsupported get request\",\"code\":100}}"}`, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := func(ids string) string {
				out := map[string]any{}
				for _, id := range strings.Split(ids, ",") {
					out[id] = map[string]string{"id": id}
				}
				b, _ := json.Marshal(out)
				return string(b)
			}
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.Method == http.MethodGet {
					fmt.Fprint(w, objects(r.URL.Query().Get("ids")))
					return
				}
				var items []struct {
					RelativeURL string `json:"relative_url"`
				}
				_ = json.Unmarshal([]byte(r.PostFormValue("batch")), &items)
				var answers []string
				for i, it := range items {
					u, _ := url.Parse(it.RelativeURL)
					body, _ := json.Marshal(objects(u.Query().Get("ids")))
					a := `{"code":200,"body":` + string(body) + `}`
					if i == 1 {
						a = tt.item2
					}
					answers = append(answers, a)
				}
				fmt.Fprint(w, "["+strings.Join(answers, ",")+"]")
			})
			var ids []string
			for i := range 120 {
				ids = append(ids, fmt.Sprint(1000+i))
			}
			got, err := h.c.ByIDs(context.Background(), testToken, ids, "id")
			if tt.wantErr != 0 {
				if ae, ok := errors.AsType[*APIError](err); !ok || ae.Code != tt.wantErr {
					t.Fatalf("error %v, want the item's code %d", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 120 {
				t.Fatalf("%d objects, %v; want all 120", len(got), err)
			}
			var methods []string
			for _, r := range h.calls {
				methods = append(methods, r.Method)
			}
			if want := []string{"POST", "GET"}; !slices.Equal(methods, want) {
				t.Errorf("calls %v, want %v (the batch, then its second request alone)", methods, want)
			}
		})
	}
}
