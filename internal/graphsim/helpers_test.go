package graphsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// harness is a graphsim on httptest with the demo brand's token at hand.
type harness struct {
	t     *testing.T
	sim   *Server
	srv   *httptest.Server
	token string
	acct  string
}

func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	sim, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	b := sim.Brands()[0]
	return &harness{t: t, sim: sim, srv: srv, token: b.AccessToken, acct: b.AdAccountIDs[0]}
}

// get calls a Graph path with the demo token; params are added to the query.
func (h *harness) get(path string, params url.Values) (int, http.Header, []byte) {
	h.t.Helper()
	if params == nil {
		params = url.Values{}
	}
	if params.Get("access_token") == "" {
		params.Set("access_token", h.token)
	}
	return h.do(http.MethodGet, h.srv.URL+path+"?"+params.Encode(), nil)
}

func (h *harness) do(method, u string, body url.Values) (int, http.Header, []byte) {
	h.t.Helper()
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(method, u, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequest(method, u, nil)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read: %v", method, u, err)
	}
	return resp.StatusCode, resp.Header, b
}

func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	code, _, b := h.do(http.MethodPost, h.srv.URL+"/_sim/clock?advance="+d.String(), nil)
	if code != 200 {
		h.t.Fatalf("advance: %d %s", code, b)
	}
}

// graphPage is a decoded list response.
type graphPage struct {
	Data   []map[string]any `json:"data"`
	Paging *struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next     string `json:"next"`
		Previous string `json:"previous"`
	} `json:"paging"`
	Summary map[string]any `json:"summary"`
}

// graphErr is a decoded error envelope.
type graphErr struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// pageAll follows paging.next from the first page and returns every row,
// failing if a page other than the last lacks next.
func (h *harness) pageAll(path string, params url.Values) (rows []map[string]any, pages int) {
	h.t.Helper()
	code, _, b := h.get(path, params)
	for {
		if code != 200 {
			h.t.Fatalf("page %d of %s: %d %s", pages, path, code, b)
		}
		p := decode[graphPage](h.t, b)
		pages++
		rows = append(rows, p.Data...)
		if p.Paging == nil || p.Paging.Next == "" {
			return rows, pages
		}
		if len(p.Data) == 0 {
			h.t.Fatalf("page %d: next present on an empty page", pages)
		}
		code, _, b = h.do(http.MethodGet, p.Paging.Next, nil)
	}
}
