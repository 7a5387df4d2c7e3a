package schemas

import (
	"errors"
	"strings"
)

// Reasons a message does not decode. A *DecodeError wraps exactly one of
// them, so errors.Is(err, ErrUnknownSchema) tells a message from a newer
// producer apart from a corrupt one.
var (
	// ErrShortBuffer: the message ends before its header does.
	ErrShortBuffer = errors.New("message too short")
	// ErrBadMagic: the message does not start with the framing's magic bytes.
	ErrBadMagic = errors.New("bad magic bytes")
	// ErrUnknownSchema: the fingerprint or schema id names no schema we can read.
	ErrUnknownSchema = errors.New("unknown schema")
	// ErrCorruptBody: the header is fine but the body does not decode with
	// its schema, or bytes are left over after it.
	ErrCorruptBody = errors.New("corrupt body")
	// ErrTypeMismatch: DecodeInto was given a value of another record type.
	ErrTypeMismatch = errors.New("record type mismatch")
)

// ErrUnsupportedType is returned by Encode for a value that is not one of
// this package's record types.
var ErrUnsupportedType = errors.New("not a record type of package schemas")

// DecodeError says why a message did not decode.
type DecodeError struct {
	// Reason is one of ErrShortBuffer, ErrBadMagic, ErrUnknownSchema,
	// ErrCorruptBody, ErrTypeMismatch, or ErrRegistryUnavailable (the one
	// transient reason, see IsTransient).
	Reason error
	// Schema names the writer schema when the header was readable:
	// "fingerprint 0x…" or "schema id N".
	Schema string
	// Record is the full Avro name of the record, when known.
	Record string
	// Err is the underlying error, if any.
	Err error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("schemas: decode")
	if e.Record != "" {
		b.WriteString(" " + e.Record)
	}
	if e.Schema != "" {
		b.WriteString(" (" + e.Schema + ")")
	}
	b.WriteString(": " + e.Reason.Error())
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Reason and Err, so both errors.Is and errors.As see them.
func (e *DecodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}
