package schemas

import (
	"hash"
	"slices"

	"github.com/twmb/avro"
)

func newRabin() hash.Hash64 { return avro.NewRabin() }

func reversed(b []byte) []byte {
	b = slices.Clone(b)
	slices.Reverse(b)
	return b
}
