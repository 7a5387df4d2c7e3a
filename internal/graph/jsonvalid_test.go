package graph

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzValidJSON holds validJSON to json.Valid's answer on any input.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{
		`{"data":[{"a":"b","n":-1.5e+3}],"paging":{"next":"x"}}`, ` [1, 2.0, -0, 0e1, true, false, null] `,
		`"\u00e9\n\"\\\/"`, `"\u00zz"`, `01`, `1.`, `-`, `1e`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `{,}`, "\"\x01\"", "\"\xff\"",
		`nul`, `[] []`, `{"a":{"b":[{}]}}`, strings.Repeat("[", maxValidDepth) + strings.Repeat("]", maxValidDepth),
		strings.Repeat("[", maxValidDepth+1) + strings.Repeat("]", maxValidDepth+1),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

func TestValidJSONOnAPage(t *testing.T) {
	page := simPage(t, true)
	if !validJSON(page) {
		t.Fatal("graphsim's page is not valid")
	}
	for _, n := range []int{1, len(page) / 2, len(page) - 1} {
		if validJSON(page[:n]) {
			t.Errorf("a page cut after %d of %d bytes is valid", n, len(page))
		}
	}
}

// TestValidJSONAgreesOnMutations holds validJSON to json.Valid on many
// random edits of JSON texts: bytes changed, dropped, doubled and cut.
func TestValidJSONAgreesOnMutations(t *testing.T) {
	seeds := []string{
		`{"data":[{"ad_id":"1","spend":"1.5","actions":[{"action_type":"purchase","value":"2"}]}],"paging":{"cursors":{"after":"QVFI"},"next":"http://x/y?a=1"}}`,
		` [1, 2.0, -0, 0e1, 1E+2, -3.25e-7, true, false, null, "\u00e9\n\"\\\/", {}, []] `,
	}
	alphabet := []byte("{}[]\",:.-+eE0123456789tfnul \\/bu\x01\xff")
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200_000; n++ {
		b := []byte(seeds[n%len(seeds)])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(b))
			switch rng.IntN(4) {
			case 0:
				b[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				b = append(b[:i:i], b[i+1:]...)
			case 2:
				b = append(b[:i+1:i+1], b[i:]...)
			case 3:
				b = b[:i]
			}
			if len(b) == 0 {
				break
			}
		}
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	}
}
