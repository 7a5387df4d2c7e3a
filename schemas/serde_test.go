package schemas

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func newTestSerde(t testing.TB) *Serde {
	t.Helper()
	s, err := NewSerde()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := newTestSerde(t)
	for _, give := range sampleRecords() {
		t.Run(fmt.Sprintf("%T", give), func(t *testing.T) {
			b, err := s.Encode(give)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, give) {
				t.Errorf("Decode(Encode(v)):\n got  %+v\n want %+v", got, give)
			}
			into := reflect.New(reflect.TypeOf(give).Elem()).Interface()
			if err := s.DecodeInto(b, into); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(into, give) {
				t.Errorf("DecodeInto:\n got  %+v\n want %+v", into, give)
			}
		})
	}
}

// The header is the one the spec defines, so other Avro implementations
// (Java's BinaryMessageDecoder, fastavro) read our messages.
func TestEncodeSingleObjectHeader(t *testing.T) {
	s := newTestSerde(t)
	for _, v := range sampleRecords() {
		r := s.byType[reflect.TypeOf(v).Elem()]
		b, err := s.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		want := []byte{0xC3, 0x01}
		want = append(want, reversed(r.schema.Fingerprint(newRabin()))...)
		if !bytes.HasPrefix(b, want) {
			t.Errorf("%s: header % x, want % x", r.name, b[:10], want)
		}
	}
}

func TestEncodeByValue(t *testing.T) {
	s := newTestSerde(t)
	give := *sampleRecords()[3].(*AdInsight)
	b, err := s.Encode(give)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got.(*AdInsight), give) {
		t.Errorf("got %+v, want %+v", got, give)
	}
}

func TestEncodeUnsupportedType(t *testing.T) {
	s := newTestSerde(t)
	for _, give := range []any{nil, 42, "ad", &struct{ A int }{}, []Ad{}} {
		if _, err := s.Encode(give); !errors.Is(err, ErrUnsupportedType) {
			t.Errorf("Encode(%T) error = %v, want ErrUnsupportedType", give, err)
		}
	}
}

// An enum left at its zero value is a bug in the producer, not a symbol.
func TestEncodeRejectsEmptyEnum(t *testing.T) {
	s := newTestSerde(t)
	for _, give := range []any{&SyncRequest{}, &Ad{}, &AdInsight{}, &SyncEvent{Kind: SyncKindFull}} {
		if _, err := s.Encode(give); err == nil {
			t.Errorf("Encode(%T with empty enum) succeeded", give)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	s := newTestSerde(t)
	valid, err := s.Encode(sampleRecords()[1])
	if err != nil {
		t.Fatal(err)
	}
	unknownFP := bytes.Clone(valid)
	unknownFP[5] ^= 0xff
	tests := []struct {
		name string
		give []byte
		want error
	}{
		{"nil", nil, ErrShortBuffer},
		{"header cut", valid[:9], ErrShortBuffer},
		{"bad magic", append([]byte{0xC3, 0x02}, valid[2:]...), ErrBadMagic},
		{"confluent framing", append([]byte{0, 0, 0, 0, 1}, valid[10:]...), ErrBadMagic},
		{"unknown fingerprint", unknownFP, ErrUnknownSchema},
		{"body cut", valid[:len(valid)-3], ErrCorruptBody},
		{"body empty", valid[:10], ErrCorruptBody},
		{"trailing bytes", append(bytes.Clone(valid), 0x00), ErrCorruptBody},
		{"string length past end", append(bytes.Clone(valid[:10]), 0xfe, 0xff, 0xff, 0xff, 0x0f), ErrCorruptBody},
		{"negative length", append(bytes.Clone(valid[:10]), 0x01, 'a'), ErrCorruptBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Decode(tt.give)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if got != nil {
				t.Errorf("Decode returned %v with an error", got)
			}
		})
	}
}

func TestDecodeErrorMessageNamesTheSchema(t *testing.T) {
	s := newTestSerde(t)
	b, err := s.Encode(sampleRecords()[3])
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Decode(b[:len(b)-1])
	const want = "schemas: decode io.adstream.v1.AdInsight (fingerprint 0x"
	if err == nil || !bytes.HasPrefix([]byte(err.Error()), []byte(want)) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}

func TestDecodeIntoTypeMismatch(t *testing.T) {
	s := newTestSerde(t)
	b, err := s.Encode(sampleRecords()[1]) // an Ad
	if err != nil {
		t.Fatal(err)
	}
	var nilAd *Ad
	for _, give := range []any{&AdInsight{}, Ad{}, nilAd, nil} {
		if err := s.DecodeInto(b, give); !errors.Is(err, ErrTypeMismatch) {
			t.Errorf("DecodeInto(%T) error = %v, want ErrTypeMismatch", give, err)
		}
	}
}

func TestAdKey(t *testing.T) {
	if got, want := string(AdKey("demo", "120210000000000002")), "demo/120210000000000002"; got != want {
		t.Errorf("AdKey = %q, want %q", got, want)
	}
}
