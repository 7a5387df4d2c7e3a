package schemas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/sr"
)

// ErrRegistryUnavailable is the reason of a decode that needed the schema
// registry and could not get an answer from it: connection refused, a
// timeout, a 5xx, or any reply other than "schema not found". Unlike the
// other reasons it says nothing about the message: retry it, never
// dead-letter it (see IsTransient).
var ErrRegistryUnavailable = errors.New("schema registry unavailable")

// IsTransient reports whether err, from Decode or DecodeInto, may not happen
// again: the message could not be read because the schema registry did not
// answer, not because the message is bad. A consumer holds such a message
// and retries it; every other decode error is final for that message (bad
// framing, a corrupt body, or a schema id the registry says does not exist).
func IsTransient(err error) bool {
	return errors.Is(err, ErrRegistryUnavailable)
}

// schemaNotFound reports whether the registry answered that the schema id
// does not exist (HTTP 404 with Confluent error code 40403). Only that answer
// makes a message undecodable for good: a bare 404 may come from a proxy or a
// wrong URL, which fixing the deployment cures.
func schemaNotFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound && re.ErrorCode == sr.ErrSchemaNotFound.Code
}

// SubjectStrategy names the registry subject of a record's value schema,
// given its topic and full Avro record name.
type SubjectStrategy func(topic, recordName string) string

// TopicNameStrategy is Confluent's default: "<topic>-value".
func TopicNameStrategy(topic, _ string) string { return topic + "-value" }

// RecordNameStrategy names the subject after the record: "io.adstream.v1.Ad".
func RecordNameStrategy(_, recordName string) string { return recordName }

// TopicRecordNameStrategy combines both: "<topic>-<record name>".
func TopicRecordNameStrategy(topic, recordName string) string { return topic + "-" + recordName }

// registryLookupTimeout bounds the registry call Decode makes for a schema
// id it has not seen.
const registryLookupTimeout = 10 * time.Second

// RegistrySerde encodes records in the Confluent wire format (magic 0, the
// 4-byte schema id, the Avro body) with ids from a schema registry. It is
// safe for concurrent use.
type RegistrySerde struct {
	client *sr.Client
	byType map[reflect.Type]*record
	idOf   map[*record]int
	byName map[string]*record

	mu   sync.RWMutex
	byID map[int]decoder
	// foreign caches ids whose schema is not one of ours, so a stream of
	// such messages does not hit the registry once each.
	foreign map[int]error
	fetchMu sync.Mutex // one registry lookup at a time
}

// NewRegistrySerde registers the current schema of every record under the
// subject strategy names (nil means TopicNameStrategy); registering a schema
// the subject already holds returns its existing id. It also loads every
// earlier version of those subjects so that Decode reads old messages
// without a registry call. A schema id first seen by Decode is fetched then,
// bounded by a 10 s timeout; a fetch the registry did not answer is not
// remembered, so the next Decode of that id asks again. ctx bounds the calls
// NewRegistrySerde makes.
func NewRegistrySerde(ctx context.Context, client *sr.Client, subject SubjectStrategy) (*RegistrySerde, error) {
	if subject == nil {
		subject = TopicNameStrategy
	}
	recs, err := loadRecords()
	if err != nil {
		return nil, err
	}
	s := &RegistrySerde{
		client:  client,
		byType:  make(map[reflect.Type]*record),
		idOf:    make(map[*record]int),
		byName:  make(map[string]*record),
		byID:    make(map[int]decoder),
		foreign: make(map[int]error),
	}
	for _, r := range recs {
		s.byType[r.typ] = r
		s.byName[r.name] = r
		subj := subject(r.topic, r.name)
		id, err := client.RegisterSchema(ctx, subj, sr.Schema{Schema: r.text, Type: sr.TypeAvro}, -1, -1)
		if err != nil {
			return nil, fmt.Errorf("register %s as subject %s: %w", r.name, subj, err)
		}
		s.idOf[r] = id
		s.byID[id] = currentDecoder(r)
		versions, err := client.Schemas(ctx, subj)
		if err != nil {
			return nil, fmt.Errorf("list subject %s: %w", subj, err)
		}
		for _, v := range versions {
			if _, ok := s.byID[v.ID]; ok {
				continue
			}
			d, err := s.writerDecoder(v.Schema.Schema)
			if err != nil {
				return nil, fmt.Errorf("subject %s version %d (id %d): %w", subj, v.Version, v.ID, err)
			}
			s.byID[v.ID] = d
		}
	}
	return s, nil
}

// Encode returns v in the Confluent wire format.
func (s *RegistrySerde) Encode(v any) ([]byte, error) { return s.AppendEncode(nil, v) }

// AppendEncode appends v in the Confluent wire format to dst.
func (s *RegistrySerde) AppendEncode(dst []byte, v any) ([]byte, error) {
	r, err := recordFor(s.byType, v)
	if err != nil {
		return dst, err
	}
	out, err := r.schema.AppendEncode(appendConfluentHeader(dst, s.idOf[r]), v)
	if err != nil {
		return dst, fmt.Errorf("schemas: encode %s: %w", r.name, err)
	}
	return out, nil
}

// Decode returns a new pointer to the record b holds, chosen by its schema id.
func (s *RegistrySerde) Decode(b []byte) (any, error) {
	d, body, name, err := s.lookup(b)
	if err != nil {
		return nil, err
	}
	v := reflect.New(d.rec.typ).Interface()
	if err := d.decode(name, body, v); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodeInto decodes b into v, which must point to the record type b holds.
func (s *RegistrySerde) DecodeInto(b []byte, v any) error {
	d, body, name, err := s.lookup(b)
	if err != nil {
		return err
	}
	if err := d.check(name, v); err != nil {
		return err
	}
	return d.decode(name, body, v)
}

func (s *RegistrySerde) lookup(b []byte) (decoder, []byte, schemaRef, error) {
	id, body, err := splitConfluent(b)
	if err != nil {
		return decoder{}, nil, schemaRef{}, err
	}
	name := schemaRef{id: id, registry: true}
	s.mu.RLock()
	d, ok := s.byID[id]
	s.mu.RUnlock()
	if !ok {
		if d, err = s.fetch(id); err != nil {
			return decoder{}, nil, name, err
		}
	}
	return d, body, name, nil
}

// fetch asks the registry for a schema id that was registered after
// NewRegistrySerde ran, typically by a newer producer.
func (s *RegistrySerde) fetch(id int) (decoder, error) {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.RLock()
	d, ok := s.byID[id]
	ferr := s.foreign[id]
	s.mu.RUnlock()
	if ok {
		return d, nil
	}
	if ferr != nil {
		return decoder{}, ferr
	}
	ctx, cancel := context.WithTimeout(context.Background(), registryLookupTimeout)
	defer cancel()
	schema, err := s.client.SchemaByID(ctx, id)
	if err != nil {
		if schemaNotFound(err) {
			return decoder{}, s.markForeign(id, &DecodeError{Reason: ErrUnknownSchema, Schema: schemaIDName(id), Err: err})
		}
		// Not cached: the next message with this id asks the registry again.
		return decoder{}, &DecodeError{Reason: ErrRegistryUnavailable, Schema: schemaIDName(id), Err: err}
	}
	d, err = s.writerDecoder(schema.Schema)
	if err != nil {
		return decoder{}, s.markForeign(id, &DecodeError{Reason: ErrUnknownSchema, Schema: schemaIDName(id), Err: err})
	}
	s.mu.Lock()
	s.byID[id] = d
	s.mu.Unlock()
	return d, nil
}

func (s *RegistrySerde) markForeign(id int, err error) error {
	s.mu.Lock()
	s.foreign[id] = err
	s.mu.Unlock()
	return err
}

// writerDecoder resolves a writer schema from the registry to the current
// schema of the same record.
func (s *RegistrySerde) writerDecoder(text string) (decoder, error) {
	w, err := avro.Parse(text)
	if err != nil {
		return decoder{}, fmt.Errorf("parse writer schema: %w", err)
	}
	r, ok := s.byName[fullNameOf(w)]
	if !ok {
		return decoder{}, fmt.Errorf("writer schema %q is not a record of package schemas", fullNameOf(w))
	}
	if fingerprint(w) == fingerprint(r.schema) {
		return currentDecoder(r), nil
	}
	resolved, err := avro.Resolve(w, r.schema)
	if err != nil {
		return decoder{}, fmt.Errorf("resolve writer schema of %s: %w", r.name, err)
	}
	return decoder{r, resolved, nil}, nil
}
