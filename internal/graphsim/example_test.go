package graphsim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/adstream/adstream/internal/graphsim"
)

// Example starts a simulator, reads the demo brand and pages its ads the way
// a Graph client would.
func Example() {
	sim, err := graphsim.New(graphsim.Options{Seed: 1, Ads: 100, Now: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()

	demo := sim.Brands()[0]
	resp, err := http.Get(srv.URL + "/v21.0/" + demo.AdAccountIDs[0] + "/ads?fields=id,effective_status&limit=1&access_token=" + demo.AccessToken)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(demo.BrandID, resp.StatusCode, len(body) > 0)
	// Output: demo 200 true
}
