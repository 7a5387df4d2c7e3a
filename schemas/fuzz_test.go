package schemas

import (
	"errors"
	"testing"
)

// FuzzDecode checks that no input panics Decode and that every failure is a
// *DecodeError. Normal test runs execute the seed corpus only; run
// `go test -fuzz=FuzzDecode ./schemas/` to search.
func FuzzDecode(f *testing.F) {
	s := newTestSerde(f)
	for _, v := range sampleRecords() {
		b, err := s.Encode(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0xC3, 0x01})
	f.Add([]byte{0, 0, 0, 0, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := s.Decode(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError: %v", err, err)
			}
			return
		}
		// Whatever decodes is a valid record (enums hold known symbols), so
		// a consumer can re-publish it.
		if _, err := s.Encode(v); err != nil {
			t.Fatalf("re-encode %T: %v", v, err)
		}
	})
}
