package schemas

import (
	"encoding/binary"
	"fmt"
)

// Avro single-object encoding: 0xC3 0x01, the 8-byte little-endian
// CRC-64-AVRO fingerprint of the writer's canonical schema, the body.
const (
	soeMagic0    = 0xC3
	soeMagic1    = 0x01
	soeHeaderLen = 10
)

// splitSingleObject returns the fingerprint and body of a single-object
// encoded message.
func splitSingleObject(b []byte) (fp uint64, body []byte, err error) {
	if len(b) < soeHeaderLen {
		return 0, nil, &DecodeError{Reason: ErrShortBuffer,
			Err: fmt.Errorf("%d bytes, single-object header needs %d", len(b), soeHeaderLen)}
	}
	if b[0] != soeMagic0 || b[1] != soeMagic1 {
		return 0, nil, &DecodeError{Reason: ErrBadMagic,
			Err: fmt.Errorf("got %#02x %#02x, want 0xc3 0x01", b[0], b[1])}
	}
	return binary.LittleEndian.Uint64(b[2:soeHeaderLen]), b[soeHeaderLen:], nil
}

func fingerprintName(fp uint64) string { return fmt.Sprintf("fingerprint %#016x", fp) }

// Confluent wire format: magic 0, the 4-byte big-endian schema id from the
// registry, the body.
const (
	confluentMagic     = 0
	confluentHeaderLen = 5
)

func appendConfluentHeader(dst []byte, id int) []byte {
	dst = append(dst, confluentMagic)
	return binary.BigEndian.AppendUint32(dst, uint32(id))
}

// splitConfluent returns the schema id and body of a Confluent-framed message.
func splitConfluent(b []byte) (id int, body []byte, err error) {
	if len(b) < confluentHeaderLen {
		return 0, nil, &DecodeError{Reason: ErrShortBuffer,
			Err: fmt.Errorf("%d bytes, Confluent header needs %d", len(b), confluentHeaderLen)}
	}
	if b[0] != confluentMagic {
		return 0, nil, &DecodeError{Reason: ErrBadMagic,
			Err: fmt.Errorf("got %#02x, want 0x00", b[0])}
	}
	return int(binary.BigEndian.Uint32(b[1:confluentHeaderLen])), b[confluentHeaderLen:], nil
}

func schemaIDName(id int) string { return fmt.Sprintf("schema id %d", id) }
