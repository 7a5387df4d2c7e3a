package schemas

import (
	"embed"
	"encoding/binary"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/avro"
)

// Namespace is the Avro namespace of every record of this package.
const Namespace = "io.adstream.v1"

//go:embed *.avsc
var currentFS embed.FS

//go:embed history/*.avsc
var historyFS embed.FS

// record is one record type: its Go type, its current schema and the
// previous versions it must still read.
type record struct {
	name    string // full Avro name, e.g. io.adstream.v1.Ad
	topic   string
	typ     reflect.Type
	text    string // the .avsc as written, sent to a schema registry
	schema  *avro.Schema
	history []*avro.Schema // history/<Name>.v<N>.avsc, oldest first
}

// catalog lists every record type; the .avsc file is named for the Go type.
var catalog = []struct {
	topic string
	typ   reflect.Type
}{
	{TopicSyncRequests, reflect.TypeFor[SyncRequest]()},
	{TopicAds, reflect.TypeFor[Ad]()},
	{TopicInsights, reflect.TypeFor[AdInsight]()},
	{TopicSyncEvents, reflect.TypeFor[SyncEvent]()},
	{TopicDLQ, reflect.TypeFor[DeadLetter]()},
}

// loadRecords parses the embedded schemas. It fails if a schema does not
// parse or is not the record its file name promises.
func loadRecords() ([]*record, error) {
	recs := make([]*record, 0, len(catalog))
	for _, c := range catalog {
		short := c.typ.Name()
		text, err := currentFS.ReadFile(short + ".avsc")
		if err != nil {
			return nil, err
		}
		r := &record{name: Namespace + "." + short, topic: c.topic, typ: c.typ, text: string(text)}
		if r.schema, err = parseRecord(r.name, text); err != nil {
			return nil, fmt.Errorf("%s.avsc: %w", short, err)
		}
		old, err := historyFiles(short)
		if err != nil {
			return nil, err
		}
		for _, f := range old {
			b, err := historyFS.ReadFile(f)
			if err != nil {
				return nil, err
			}
			s, err := parseRecord(r.name, b)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			r.history = append(r.history, s)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// historyFiles returns history/<short>.v<N>.avsc ordered by N.
func historyFiles(short string) ([]string, error) {
	files, err := historyFS.ReadDir("history")
	if err != nil {
		return nil, err
	}
	type version struct {
		n    int
		path string
	}
	var vs []version
	for _, f := range files {
		mid, ok := strings.CutPrefix(f.Name(), short+".v")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(mid, ".avsc")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("history/%s: version %q is not a number", f.Name(), num)
		}
		vs = append(vs, version{n, path.Join("history", f.Name())})
	}
	slices.SortFunc(vs, func(a, b version) int { return a.n - b.n })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.path
	}
	return out, nil
}

func parseRecord(fullName string, text []byte) (*avro.Schema, error) {
	s, err := avro.Parse(string(text))
	if err != nil {
		return nil, err
	}
	if got := fullNameOf(s); got != fullName {
		return nil, fmt.Errorf("schema is %q, want record %q", got, fullName)
	}
	return s, nil
}

// fullNameOf returns the namespaced name of a record schema, "" otherwise.
func fullNameOf(s *avro.Schema) string {
	n := s.Root()
	if n.Type != "record" {
		return ""
	}
	if n.Namespace == "" || strings.Contains(n.Name, ".") {
		return n.Name
	}
	return n.Namespace + "." + n.Name
}

// fingerprint returns the CRC-64-AVRO fingerprint of s's canonical form as
// the number the single-object header carries.
func fingerprint(s *avro.Schema) uint64 {
	return binary.BigEndian.Uint64(s.Fingerprint(avro.NewRabin()))
}
