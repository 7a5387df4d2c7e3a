package consumers_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/schemas"
)

// fakeRegistry serves the part of the Confluent schema registry API that
// schemas.RegistrySerde uses, on one address that the test can take down
// and bring back. It stands in for the registry only: Kafka is real.
type fakeRegistry struct {
	addr string
	mu   sync.Mutex
	srv  *http.Server // nil while down and refusing connections
	// texts[i] is schema id i+1; subjects maps a subject to its ids by version.
	texts    []string
	subjects map[string][]int
	// unavailable makes every call answer 503, as a registry whose backing
	// store is down does.
	unavailable atomic.Bool
}

func newFakeRegistry(t *testing.T) *fakeRegistry {
	t.Helper()
	f := &fakeRegistry{addr: "127.0.0.1:0", subjects: map[string][]int{}}
	f.start(t)
	t.Cleanup(f.refuse)
	return f
}

func (f *fakeRegistry) url() string { return "http://" + f.addr }

// start serves on the registry's address, the same one after a refuse.
func (f *fakeRegistry) start(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		t.Fatalf("registry listen: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addr = l.Addr().String()
	f.srv = &http.Server{Handler: f.routes(), ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(l) // returns when refuse closes the server
}

// refuse closes the listener and every connection: calls are refused.
func (f *fakeRegistry) refuse() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
}

func (f *fakeRegistry) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subjects/{subject}/versions", func(w http.ResponseWriter, r *http.Request) {
		var s sr.Schema
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		registryJSON(w, http.StatusOK, map[string]int{"id": f.register(r.PathValue("subject"), s.Schema)})
	})
	mux.HandleFunc("GET /subjects/{subject}/versions", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		n := len(f.subjects[r.PathValue("subject")])
		f.mu.Unlock()
		versions := make([]int, n)
		for i := range versions {
			versions[i] = i + 1
		}
		registryJSON(w, http.StatusOK, versions)
	})
	mux.HandleFunc("GET /subjects/{subject}/versions/{version}", func(w http.ResponseWriter, r *http.Request) {
		subject := r.PathValue("subject")
		v, _ := strconv.Atoi(r.PathValue("version"))
		f.mu.Lock()
		defer f.mu.Unlock()
		ids := f.subjects[subject]
		if v < 1 || v > len(ids) {
			registryJSON(w, http.StatusNotFound, map[string]any{"error_code": 40402, "message": "Version not found"})
			return
		}
		registryJSON(w, http.StatusOK, sr.SubjectSchema{Subject: subject, Version: v, ID: ids[v-1], Schema: sr.Schema{Schema: f.texts[ids[v-1]-1]}})
	})
	mux.HandleFunc("GET /schemas/ids/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		f.mu.Lock()
		defer f.mu.Unlock()
		if id < 1 || id > len(f.texts) {
			registryJSON(w, http.StatusNotFound, map[string]any{"error_code": 40403, "message": "Schema not found"})
			return
		}
		registryJSON(w, http.StatusOK, sr.Schema{Schema: f.texts[id-1]})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.unavailable.Load() {
			registryJSON(w, http.StatusServiceUnavailable, map[string]any{"error_code": 50003, "message": "Error while forwarding the request"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// register returns the id of text, adding it as the subject's next version.
func (f *fakeRegistry) register(subject, text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := slices.Index(f.texts, text) + 1
	if id == 0 {
		f.texts = append(f.texts, text)
		id = len(f.texts)
	}
	if !slices.Contains(f.subjects[subject], id) {
		f.subjects[subject] = append(f.subjects[subject], id)
	}
	return id
}

// schema returns the latest schema text of subject.
func (f *fakeRegistry) schema(t *testing.T, subject string) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := f.subjects[subject]
	if len(ids) == 0 {
		t.Fatalf("registry holds no subject %s", subject)
	}
	return f.texts[ids[len(ids)-1]-1]
}

func registryJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// newRegistryCodec returns a codec over the registry, as cmd/adstream builds
// it when ADSTREAM_SCHEMA_REGISTRY_URL is set.
func newRegistryCodec(ctx context.Context, t *testing.T, f *fakeRegistry) *schemas.RegistrySerde {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(f.url()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := schemas.NewRegistrySerde(ctx, cl, nil)
	if err != nil {
		t.Fatalf("registry serde: %v", err)
	}
	return s
}

// newerInsightSchema registers, as a newer producer would, an AdInsight
// schema with one more field, and returns a function that writes insights
// with it. A consumer that started before cannot read them without asking
// the registry.
func newerInsightSchema(t *testing.T, f *fakeRegistry) func(*schemas.AdInsight) []byte {
	t.Helper()
	subject := schemas.TopicNameStrategy(schemas.TopicInsights, "")
	var def map[string]any
	if err := json.Unmarshal([]byte(f.schema(t, subject)), &def); err != nil {
		t.Fatal(err)
	}
	def["fields"] = append(def["fields"].([]any), map[string]any{"name": "experiment", "type": "int", "default": 0})
	text, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := avro.Parse(string(text))
	if err != nil {
		t.Fatalf("newer schema: %v", err)
	}
	id := f.register(subject, string(text))
	return func(in *schemas.AdInsight) []byte {
		body, err := schema.Encode(struct {
			*schemas.AdInsight
			Experiment int32 `avro:"experiment"`
		}{in, 7})
		if err != nil {
			t.Fatalf("encode with the newer schema: %v", err)
		}
		return append(binary.BigEndian.AppendUint32([]byte{0}, uint32(id)), body...)
	}
}

func counterValue(reg *prometheus.Registry, name string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// While the schema registry does not answer, a record that needs it is held,
// not dead-lettered, and its partition does not move past it; once the
// registry is back the record is stored. A schema id the registry says does
// not exist still goes to the dead-letter topic.
func TestConsumerWaitsForSchemaRegistry(t *testing.T) {
	tests := []struct {
		name string
		down func(f *fakeRegistry)
		up   func(f *fakeRegistry, t *testing.T)
	}{
		{"connection refused", (*fakeRegistry).refuse, (*fakeRegistry).start},
		{"503", func(f *fakeRegistry) { f.unavailable.Store(true) }, func(f *fakeRegistry, _ *testing.T) { f.unavailable.Store(false) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			k := newKafka(t)
			tp := k.topicsFor(ctx, t, 1)
			group := k.group(t)
			reg := newFakeRegistry(t)
			producerCodec := newRegistryCodec(ctx, t, reg)
			consumerCodec := newRegistryCodec(ctx, t, reg)
			newer := newerInsightSchema(t, reg) // registered after the consumer's codec loaded the subjects

			at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			insight := func(i int) *kgo.Record {
				b, err := producerCodec.Encode(testInsight("b1", fmt.Sprintf("ad-%d", i), int64(i), at))
				if err != nil {
					t.Fatal(err)
				}
				return &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", fmt.Sprint(i)), Value: b}
			}
			newerInsight := func(i int) *kgo.Record {
				return &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", fmt.Sprint(i)),
					Value: newer(testInsight("b1", fmt.Sprintf("ad-%d", i), int64(i), at))}
			}
			sink, metrics := &memSink{}, prometheus.NewRegistry()
			runConsumer(ctx, t, k, consumers.Config{Topics: tp, Group: group, FlushEvery: 50 * time.Millisecond},
				consumers.Deps{Sink: sink, Codec: consumerCodec, Metrics: metrics})
			k.produce(ctx, t, insight(0))
			eventually(t, 20*time.Second, func() (bool, string) {
				return k.allCommitted(ctx, t, group, tp.Insights)
			})

			tt.down(reg)
			k.produce(ctx, t, newerInsight(1), insight(2))
			eventually(t, 20*time.Second, func() (bool, string) {
				n := counterValue(metrics, "adstream_consumer_registry_retries_total")
				return n >= 3, fmt.Sprintf("%v registry retries, want the consumer to keep retrying", n)
			})
			if got := sink.insightIDs(); !slices.Equal(got, []string{"ad-0"}) {
				t.Errorf("with the registry down the sink holds %v, want only ad-0: nothing may pass the held record", got)
			}
			if got, err := k.committed(ctx, group); err != nil || got[tp.Insights][0] != 1 {
				t.Errorf("with the registry down the group committed %v (err %v), want offset 1: the held record is not committed", got, err)
			}
			if dead := k.ends(ctx, t, tp.DLQ); len(dead) > 0 {
				t.Errorf("a registry outage dead-lettered records: %v", dead)
			}

			tt.up(reg, t)
			eventually(t, 20*time.Second, func() (bool, string) {
				return slices.Equal(sink.insightIDs(), []string{"ad-0", "ad-1", "ad-2"}), fmt.Sprintf("sink holds %v", sink.insightIDs())
			})
			sink.mu.Lock()
			held := sink.insights[1]
			sink.mu.Unlock()
			if want := testInsight("b1", "ad-1", 1, at); !reflect.DeepEqual(held, want) {
				t.Errorf("the held record was stored as %+v, want %+v", held, want)
			}

			// Schema id 4040 does not exist: the registry answers 40403.
			unknown := append(binary.BigEndian.AppendUint32([]byte{0}, 4040), 0)
			k.produce(ctx, t, &kgo.Record{Topic: tp.Insights, Value: unknown}, insight(3))
			eventually(t, 20*time.Second, func() (bool, string) {
				return k.allCommitted(ctx, t, group, tp.Insights)
			})
			dead := k.readAll(ctx, t, tp.DLQ)
			if len(dead) != 1 {
				t.Fatalf("dead-letter topic holds %d records, want the one with an unknown schema id", len(dead))
			}
			var dl schemas.DeadLetter
			if err := consumerCodec.DecodeInto(dead[0].Value, &dl); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(dl.Reason, schemas.ErrUnknownSchema.Error()) || dl.Offset != 3 {
				t.Errorf("dead letter at offset %d with reason %q, want offset 3 and %q", dl.Offset, dl.Reason, schemas.ErrUnknownSchema)
			}
			if got := sink.insightIDs(); !slices.Equal(got, []string{"ad-0", "ad-1", "ad-2", "ad-3"}) {
				t.Errorf("sink holds %v, want ad-0 to ad-3", got)
			}
		})
	}
}

// A consumer stopped while it holds a record for the registry commits
// nothing past it: the next member stores the held record and the ones
// behind it.
func TestConsumerStoppedWhileWaitingForRegistryLosesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	group := k.group(t)
	reg := newFakeRegistry(t)
	producerCodec := newRegistryCodec(ctx, t, reg)
	firstCodec := newRegistryCodec(ctx, t, reg)
	newer := newerInsightSchema(t, reg)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	known, err := producerCodec.Encode(testInsight("b1", "ad-2", 2, at))
	if err != nil {
		t.Fatal(err)
	}
	cfg := consumers.Config{Topics: tp, Group: group, FlushEvery: 50 * time.Millisecond}

	reg.unavailable.Store(true)
	k.produce(ctx, t,
		&kgo.Record{Topic: tp.Insights, Value: newer(testInsight("b1", "ad-1", 1, at))},
		&kgo.Record{Topic: tp.Insights, Value: known})
	first, metrics := &memSink{}, prometheus.NewRegistry()
	c := runConsumer(ctx, t, k, cfg, consumers.Deps{Sink: first, Codec: firstCodec, Metrics: metrics})
	eventually(t, 20*time.Second, func() (bool, string) {
		n := counterValue(metrics, "adstream_consumer_registry_retries_total")
		return n >= 2, fmt.Sprintf("%v registry retries", n)
	})
	if err := c.stop(t); err != nil {
		t.Fatalf("Run returned %v on shutdown, want nil", err)
	}
	if n := first.count(); n != 0 {
		t.Errorf("the stopped consumer stored %d rows, want none: ad-2 is behind the held record", n)
	}
	if got, err := k.committed(ctx, group); err != nil || len(got[tp.Insights]) > 0 {
		t.Fatalf("after stopping with a held record the group committed %v (err %v), want nothing", got, err)
	}

	reg.unavailable.Store(false)
	second := &memSink{}
	runConsumer(ctx, t, k, cfg, consumers.Deps{Sink: second, Codec: newRegistryCodec(ctx, t, reg)})
	eventually(t, 20*time.Second, func() (bool, string) {
		return slices.Equal(second.insightIDs(), []string{"ad-1", "ad-2"}), fmt.Sprintf("the next consumer stored %v", second.insightIDs())
	})
	if dead := k.ends(ctx, t, tp.DLQ); len(dead) > 0 {
		t.Errorf("a registry outage dead-lettered records: %v", dead)
	}
}
