package schemas

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/sr"
)

// fakeRegistry serves the part of the Confluent schema registry API that
// RegistrySerde uses.
type fakeRegistry struct {
	mu       sync.Mutex
	texts    []string         // schema id i+1
	subjects map[string][]int // subject -> ids, one per version
	byIDHits atomic.Int64
	// byIDFault, while set, answers GET /schemas/ids/{id} instead.
	byIDFault atomic.Pointer[http.HandlerFunc]
}

// fail makes the registry answer schema lookups with h until fail(nil).
func (f *fakeRegistry) fail(h http.HandlerFunc) {
	if h == nil {
		f.byIDFault.Store(nil)
		return
	}
	f.byIDFault.Store(&h)
}

func newFakeRegistry(t *testing.T) (*fakeRegistry, *httptest.Server) {
	f := &fakeRegistry{subjects: map[string][]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subjects/{subject}/versions", func(w http.ResponseWriter, r *http.Request) {
		var s sr.Schema
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]int{"id": f.register(r.PathValue("subject"), s.Schema)})
	})
	mux.HandleFunc("GET /subjects/{subject}/versions", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ids := f.subjects[r.PathValue("subject")]
		f.mu.Unlock()
		versions := make([]int, len(ids))
		for i := range ids {
			versions[i] = i + 1
		}
		writeJSON(w, versions)
	})
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", func(w http.ResponseWriter, r *http.Request) {
		subject := r.PathValue("subject")
		v, _ := strconv.Atoi(r.PathValue("version"))
		f.mu.Lock()
		defer f.mu.Unlock()
		ids := f.subjects[subject]
		if v < 1 || v > len(ids) {
			notFound(w)
			return
		}
		writeJSON(w, sr.SubjectSchema{Subject: subject, Version: v, ID: ids[v-1],
			Schema: sr.Schema{Schema: f.texts[ids[v-1]-1]}})
	})
	mux.HandleFunc("GET /schemas/ids/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.byIDHits.Add(1)
		if h := f.byIDFault.Load(); h != nil {
			(*h)(w, r)
			return
		}
		id, _ := strconv.Atoi(r.PathValue("id"))
		f.mu.Lock()
		defer f.mu.Unlock()
		if id < 1 || id > len(f.texts) {
			notFound(w)
			return
		}
		writeJSON(w, sr.Schema{Schema: f.texts[id-1]})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

// register returns the id of text, adding it as the subject's next version
// when the subject does not hold it yet.
func (f *fakeRegistry) register(subject, text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := 0
	for i, t := range f.texts {
		if t == text {
			id = i + 1
		}
	}
	if id == 0 {
		f.texts = append(f.texts, text)
		id = len(f.texts)
	}
	for _, have := range f.subjects[subject] {
		if have == id {
			return id
		}
	}
	f.subjects[subject] = append(f.subjects[subject], id)
	return id
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"error_code":40403,"message":"Schema not found"}`))
}

// adV0 is an older Ad schema: no carousel cards, no sync id.
const adV0 = `{"type":"record","name":"Ad","namespace":"io.adstream.v1","fields":[
	{"name":"brand_id","type":"string"},{"name":"ad_id","type":"string"},
	{"name":"ad_name","type":"string"}]}`

func newTestRegistrySerde(t *testing.T, opts ...sr.ClientOpt) (*RegistrySerde, *fakeRegistry, *httptest.Server) {
	t.Helper()
	f, srv := newFakeRegistry(t)
	f.register("adstream.ads.v1-value", adV0) // id 1
	cl, err := sr.NewClient(append([]sr.ClientOpt{sr.URLs(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewRegistrySerde(context.Background(), cl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, f, srv
}

func TestRegistrySerdeRoundTrip(t *testing.T) {
	s, f, _ := newTestRegistrySerde(t)
	for _, give := range sampleRecords() {
		b, err := s.Encode(give)
		if err != nil {
			t.Fatal(err)
		}
		subject := reflect.TypeOf(give).Elem().Name()
		id := int(binary.BigEndian.Uint32(b[1:5]))
		if b[0] != 0 || f.texts[id-1] != s.byType[reflect.TypeOf(give).Elem()].text {
			t.Errorf("%s: header % x does not name its registered schema", subject, b[:5])
		}
		got, err := s.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, give) {
			t.Errorf("%s: got %+v, want %+v", subject, got, give)
		}
	}
	if got := f.byIDHits.Load(); got != 0 {
		t.Errorf("decoding known ids made %d registry calls, want 0", got)
	}
}

func TestRegistrySerdeReadsOlderVersion(t *testing.T) {
	s, f, _ := newTestRegistrySerde(t)
	body, err := avro.MustParse(adV0).Encode(map[string]any{"brand_id": "demo", "ad_id": "42", "ad_name": "old"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(append([]byte{0, 0, 0, 0, 1}, body...))
	if err != nil {
		t.Fatal(err)
	}
	want := &Ad{BrandID: "demo", AdID: "42", AdName: "old", CreativeType: CreativeUnknown, CarouselImages: []CarouselImage{}}
	want.UpdatedTime, want.FetchedAt = got.(*Ad).UpdatedTime, got.(*Ad).FetchedAt // epoch defaults
	if !reflect.DeepEqual(got, want) || got.(*Ad).FetchedAt.UnixMilli() != 0 {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := f.byIDHits.Load(); got != 0 {
		t.Errorf("a version preloaded at start made %d registry calls, want 0", got)
	}
}

func TestRegistrySerdeFetchesNewIDOnce(t *testing.T) {
	s, f, _ := newTestRegistrySerde(t)
	msg, want := newerSyncEvent(t, s, f)
	for range 3 {
		got, err := s.Decode(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
	if got := f.byIDHits.Load(); got != 1 {
		t.Errorf("registry calls = %d, want 1", got)
	}
}

func TestRegistrySerdeDecodeErrors(t *testing.T) {
	s, f, srv := newTestRegistrySerde(t)
	soe, err := newTestSerde(t).Encode(sampleRecords()[0])
	if err != nil {
		t.Fatal(err)
	}
	foreign := f.register("other-value", `{"type":"record","name":"Other","fields":[]}`)
	tests := []struct {
		name string
		give []byte
		want error
	}{
		{"short", []byte{0, 0, 0}, ErrShortBuffer},
		{"single-object framing", soe, ErrBadMagic},
		{"id not in registry", []byte{0, 0, 0, 0x30, 0x39, 0}, ErrUnknownSchema},
		{"id of a foreign record", appendConfluentHeader(nil, foreign), ErrUnknownSchema},
		{"corrupt body", []byte{0, 0, 0, 0, 2, 0xff}, ErrCorruptBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second time from the cache
				if _, err := s.Decode(tt.give); !errors.Is(err, tt.want) {
					t.Fatalf("Decode error = %v, want %v", err, tt.want)
				}
			}
		})
	}
	srv.Close()
	if _, err := s.Decode([]byte{0, 0, 0, 0x01, 0x00, 0}); !errors.Is(err, ErrRegistryUnavailable) {
		t.Errorf("with the registry down, Decode error = %v, want ErrRegistryUnavailable", err)
	}
}

// newerSyncEvent registers, as a newer producer would after s started, a
// SyncEvent schema with one more field, and returns a message written with
// it: decoding it needs a registry lookup.
func newerSyncEvent(t *testing.T, s *RegistrySerde, f *fakeRegistry) (msg []byte, want *SyncEvent) {
	t.Helper()
	newer := strings.Replace(s.byType[reflect.TypeFor[SyncEvent]()].text,
		`{"name": "error", "type": "string", "default": ""},`,
		`{"name": "error", "type": "string", "default": ""}, {"name": "retries", "type": "int", "default": 0},`, 1)
	id := f.register("adstream.sync-events.v1-value", newer)
	want = sampleRecords()[4].(*SyncEvent)
	body, err := avro.MustParse(newer).Encode(struct {
		*SyncEvent
		Retries int32 `avro:"retries"`
	}{want, 3})
	if err != nil {
		t.Fatal(err)
	}
	return append(appendConfluentHeader(nil, id), body...), want
}

// A registry that cannot answer makes a decode fail transiently, whatever
// the way it fails; only its "schema not found" makes the message unknown
// for good.
func TestRegistrySerdeClassifiesLookupFailures(t *testing.T) {
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	tests := []struct {
		name string
		give func(f *fakeRegistry, srv *httptest.Server)
		want error
	}{
		{"connection refused", func(_ *fakeRegistry, srv *httptest.Server) { srv.Close() }, ErrRegistryUnavailable},
		{"503", func(f *fakeRegistry, _ *httptest.Server) { f.fail(status(503, "")) }, ErrRegistryUnavailable},
		{"500 with a registry error", func(f *fakeRegistry, _ *httptest.Server) {
			f.fail(status(500, `{"error_code":50001,"message":"Error in the backend data store"}`))
		}, ErrRegistryUnavailable},
		{"timeout", func(f *fakeRegistry, _ *httptest.Server) {
			f.fail(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		}, ErrRegistryUnavailable},
		{"404 from a proxy", func(f *fakeRegistry, _ *httptest.Server) { f.fail(status(404, "<html>no route</html>")) }, ErrRegistryUnavailable},
		{"401", func(f *fakeRegistry, _ *httptest.Server) {
			f.fail(status(401, `{"error_code":401,"message":"Unauthorized"}`))
		}, ErrRegistryUnavailable},
		{"200 that is not a schema", func(f *fakeRegistry, _ *httptest.Server) { f.fail(status(200, "<html>login</html>")) }, ErrRegistryUnavailable},
		{"schema not found", func(f *fakeRegistry, _ *httptest.Server) {
			f.fail(status(404, `{"error_code":40403,"message":"Schema 7 not found"}`))
		}, ErrUnknownSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f, srv := newTestRegistrySerde(t, sr.HTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
			msg, _ := newerSyncEvent(t, s, f)
			tt.give(f, srv)
			_, err := s.Decode(msg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			if got, want := IsTransient(err), tt.want == ErrRegistryUnavailable; got != want {
				t.Errorf("IsTransient(%v) = %v, want %v", err, got, want)
			}
		})
	}
}

// Only a registry that did not answer is transient, however the error is
// wrapped; errors that say the message itself is bad never are.
func TestIsTransient(t *testing.T) {
	tests := []struct {
		give error
		want bool
	}{
		{&DecodeError{Reason: ErrRegistryUnavailable}, true},
		{fmt.Errorf("record 7: %w", &DecodeError{Reason: ErrRegistryUnavailable}), true},
		{&DecodeError{Reason: ErrShortBuffer}, false},
		{&DecodeError{Reason: ErrBadMagic}, false},
		{&DecodeError{Reason: ErrUnknownSchema}, false},
		{&DecodeError{Reason: ErrCorruptBody}, false},
		{&DecodeError{Reason: ErrTypeMismatch}, false},
		{ErrUnsupportedType, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsTransient(tt.give); got != tt.want {
			t.Errorf("IsTransient(%v) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// A lookup the registry did not answer is not remembered: once it answers,
// the same message decodes.
func TestRegistrySerdeDecodesOnceTheRegistryIsBack(t *testing.T) {
	s, f, _ := newTestRegistrySerde(t)
	msg, want := newerSyncEvent(t, s, f)
	f.fail(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	for range 2 {
		if _, err := s.Decode(msg); !IsTransient(err) {
			t.Fatalf("with the registry failing, Decode error = %v, want a transient one", err)
		}
	}
	f.fail(nil)
	got, err := s.Decode(msg)
	if err != nil {
		t.Fatalf("with the registry back, Decode error = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSubjectStrategies(t *testing.T) {
	tests := []struct {
		give SubjectStrategy
		want string
	}{
		{TopicNameStrategy, "adstream.ads.v1-value"},
		{RecordNameStrategy, "io.adstream.v1.Ad"},
		{TopicRecordNameStrategy, "adstream.ads.v1-io.adstream.v1.Ad"},
	}
	for _, tt := range tests {
		if got := tt.give(TopicAds, "io.adstream.v1.Ad"); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
