// Package schemas holds the Avro schemas, Go types and serde of every Kafka record of adstream.
package schemas

import (
	"fmt"
	"reflect"

	"github.com/twmb/avro"
)

// Codec turns records into Kafka values and back. Serde (single-object
// encoding) and RegistrySerde (Confluent wire format) implement it.
type Codec interface {
	// Encode returns v, a *SyncRequest, *Ad, *AdInsight, *SyncEvent or
	// *DeadLetter (or the struct itself), as a framed message.
	Encode(v any) ([]byte, error)
	// Decode returns a new pointer to the record the message holds, chosen
	// by the schema its header names. Errors are *DecodeError.
	Decode(b []byte) (any, error)
	// DecodeInto decodes into v, a pointer to the record type the message
	// holds. Errors are *DecodeError.
	DecodeInto(b []byte, v any) error
}

var (
	_ Codec = (*Serde)(nil)
	_ Codec = (*RegistrySerde)(nil)
)

// Serde encodes records with Avro single-object encoding (the writer's
// schema fingerprint in every message) and decodes messages written with the
// current schema or any version under history/. A Serde is safe for
// concurrent use.
type Serde struct {
	byType map[reflect.Type]*record
	byFP   map[uint64]decoder
}

// decoder reads a body written with one writer schema into a record type.
type decoder struct {
	rec    *record
	schema *avro.Schema  // the current schema, or resolved from an older writer
	native nativeDecoder // set when the writer's schema is the current one and rec has one
}

// currentDecoder reads bodies written with r's current schema.
func currentDecoder(r *record) decoder { return decoder{r, r.schema, natives[r.typ]} }

// NewSerde parses the embedded schemas. An error means the package itself
// is broken (a schema does not parse or resolve).
func NewSerde() (*Serde, error) {
	recs, err := loadRecords()
	if err != nil {
		return nil, err
	}
	return newSerde(recs)
}

func newSerde(recs []*record) (*Serde, error) {
	s := &Serde{byType: make(map[reflect.Type]*record), byFP: make(map[uint64]decoder)}
	for _, r := range recs {
		s.byType[r.typ] = r
		s.byFP[fingerprint(r.schema)] = currentDecoder(r)
		for i, old := range r.history {
			fp := fingerprint(old)
			if _, ok := s.byFP[fp]; ok {
				continue // same canonical form as a newer version
			}
			resolved, err := avro.Resolve(old, r.schema)
			if err != nil {
				return nil, fmt.Errorf("%s: history version %d: %w", r.name, i+1, err)
			}
			s.byFP[fp] = decoder{r, resolved, nil}
		}
	}
	return s, nil
}

// Encode returns v in single-object encoding.
func (s *Serde) Encode(v any) ([]byte, error) { return s.AppendEncode(nil, v) }

// AppendEncode appends v in single-object encoding to dst.
func (s *Serde) AppendEncode(dst []byte, v any) ([]byte, error) {
	r, err := recordFor(s.byType, v)
	if err != nil {
		return dst, err
	}
	out, err := r.schema.AppendSingleObject(dst, v)
	if err != nil {
		return dst, fmt.Errorf("schemas: encode %s: %w", r.name, err)
	}
	return out, nil
}

// Decode returns a new *SyncRequest, *Ad, *AdInsight, *SyncEvent or
// *DeadLetter, chosen by the fingerprint in b.
func (s *Serde) Decode(b []byte) (any, error) {
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
func (s *Serde) DecodeInto(b []byte, v any) error {
	d, body, name, err := s.lookup(b)
	if err != nil {
		return err
	}
	if err := d.check(name, v); err != nil {
		return err
	}
	return d.decode(name, body, v)
}

func (s *Serde) lookup(b []byte) (decoder, []byte, schemaRef, error) {
	fp, body, err := splitSingleObject(b)
	if err != nil {
		return decoder{}, nil, schemaRef{}, err
	}
	name := schemaRef{fp: fp}
	d, ok := s.byFP[fp]
	if !ok {
		return decoder{}, nil, name, &DecodeError{Reason: ErrUnknownSchema, Schema: name.String()}
	}
	return d, body, name, nil
}

// schemaRef names a message's writer schema in errors: its fingerprint, or
// its registry id. It is formatted only for an error, not for every message.
type schemaRef struct {
	fp       uint64
	id       int
	registry bool
}

func (r schemaRef) String() string {
	if r.registry {
		return schemaIDName(r.id)
	}
	return fingerprintName(r.fp)
}

// recordFor finds the record type of v, a struct or a pointer to one.
func recordFor(byType map[reflect.Type]*record, v any) (*record, error) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r, ok := byType[t]
	if !ok {
		return nil, fmt.Errorf("schemas: encode %T: %w", v, ErrUnsupportedType)
	}
	return r, nil
}

// check reports whether v is a non-nil pointer to d's record type.
func (d decoder) check(schema schemaRef, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem() != d.rec.typ {
		return &DecodeError{Reason: ErrTypeMismatch, Schema: schema.String(), Record: d.rec.name,
			Err: fmt.Errorf("message holds %s, got %T", d.rec.typ.Name(), v)}
	}
	return nil
}

func (d decoder) decode(schema schemaRef, body []byte, v any) error {
	var rest []byte
	var err error
	if d.native != nil {
		rest, err = d.native(body, v)
	} else {
		rest, err = d.schema.Decode(body, v)
	}
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%d bytes left after the record", len(rest))
	}
	if err != nil {
		return &DecodeError{Reason: ErrCorruptBody, Schema: schema.String(), Record: d.rec.name, Err: err}
	}
	return nil
}
