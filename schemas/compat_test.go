package schemas

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/avro"
)

// To change a schema: edit <Name>.avsc, then copy it to
// history/<Name>.v<N+1>.avsc. These tests then prove that the new schema
// reads every older version's data and every older version reads the new
// schema's data (full transitive compatibility), which is what lets
// producers and consumers deploy in any order.

func TestHistoryHoldsCurrent(t *testing.T) {
	recs, err := loadRecords()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if len(r.history) == 0 {
			t.Errorf("%s: no history/%s.v1.avsc", r.name, r.typ.Name())
			continue
		}
		last := r.history[len(r.history)-1]
		if !bytes.Equal(last.Canonical(), r.schema.Canonical()) {
			t.Errorf("%s: %s.avsc changed: copy it to history/%s.v%d.avsc",
				r.name, r.typ.Name(), r.typ.Name(), len(r.history)+1)
		}
	}
}

func TestSchemaEvolution(t *testing.T) {
	recs, err := loadRecords()
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSerde(t)
	samples := map[reflect.Type]any{}
	for _, v := range sampleRecords() {
		samples[reflect.TypeOf(v).Elem()] = v
	}
	for _, r := range recs {
		sample := samples[r.typ]
		for i, old := range r.history {
			t.Run(fmt.Sprintf("%s/v%d", r.typ.Name(), i+1), func(t *testing.T) {
				oldBytes, err := old.Encode(sample)
				if err != nil {
					t.Fatal(err)
				}
				newBytes, err := r.schema.Encode(sample)
				if err != nil {
					t.Fatal(err)
				}
				t.Run("current reads old", func(t *testing.T) {
					got := readAs(t, old, r.schema, oldBytes)
					assertSameData(t, old, got, oldBytes)
					// And through the Serde, as a consumer sees it.
					msg, err := old.AppendSingleObject(nil, sample)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := s.Decode(msg); err != nil {
						t.Fatalf("Serde.Decode of a v%d message: %v", i+1, err)
					}
				})
				t.Run("old reads current", func(t *testing.T) {
					got := readAs(t, r.schema, old, newBytes)
					assertSameData(t, old, got, oldBytes)
				})
			})
		}
	}
}

// readAs checks that reader can read writer's data and decodes data.
func readAs(t *testing.T, writer, reader *avro.Schema, data []byte) any {
	t.Helper()
	if err := avro.CheckCompatibility(writer, reader); err != nil {
		t.Fatalf("incompatible: %v", err)
	}
	resolved, err := avro.Resolve(writer, reader)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	rest, err := resolved.Decode(data, &got)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left over", len(rest))
	}
	return got
}

// assertSameData checks that the fields the old schema knows survived:
// the decoded value, written with the old schema, is the old encoding.
func assertSameData(t *testing.T, old *avro.Schema, got any, oldBytes []byte) {
	t.Helper()
	b, err := old.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, oldBytes) {
		t.Errorf("data changed across versions:\n got  % x\n want % x", b, oldBytes)
	}
}

// The check above must fail for the changes that break consumers.
func TestCompatibilityCatchesBreakingChanges(t *testing.T) {
	text, err := currentFS.ReadFile("AdInsight.avsc")
	if err != nil {
		t.Fatal(err)
	}
	current := avro.MustParse(string(text))
	tests := []struct {
		name      string
		old, next string
	}{
		{"field without default", `{"name": "sync_id", "type": "string", "default": ""}`,
			`{"name": "sync_id", "type": "string", "default": ""}, {"name": "cpm_micros", "type": "long"}`},
		{"long to string", `{"name": "orders", "type": "long", "default": 0}`,
			`{"name": "orders", "type": "string", "default": ""}`},
		{"renamed field", `{"name": "clicks", "type": "long", "default": 0}`,
			`{"name": "link_clicks", "type": "long"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := strings.Replace(string(text), tt.old, tt.next, 1)
			if changed == string(text) {
				t.Fatalf("AdInsight.avsc has no %s", tt.old)
			}
			nextSchema := avro.MustParse(changed)
			errNew := avro.CheckCompatibility(current, nextSchema)
			errOld := avro.CheckCompatibility(nextSchema, current)
			if errNew == nil && errOld == nil {
				t.Error("breaking change passed both compatibility directions")
			}
		})
	}
}

// History versions whose canonical form differs from the current schema
// (none yet: v1 is current) are read through schema resolution.
func TestSerdeReadsOlderFingerprint(t *testing.T) {
	recs, err := loadRecords()
	if err != nil {
		t.Fatal(err)
	}
	old := avro.MustParse(adV0)
	for _, r := range recs {
		if r.typ == reflect.TypeFor[Ad]() {
			r.history = append([]*avro.Schema{old}, r.history...)
		}
	}
	s, err := newSerde(recs)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := old.AppendSingleObject(nil, map[string]any{"brand_id": "demo", "ad_id": "42", "ad_name": "old"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if ad := got.(*Ad); ad.AdID != "42" || ad.AdName != "old" || ad.CreativeType != CreativeUnknown {
		t.Errorf("got %+v, want ad 42 named old of creative type unknown", ad)
	}
}
