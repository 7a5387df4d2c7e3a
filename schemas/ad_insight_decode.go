package schemas

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
)

// A consumer decodes tens of thousands of AdInsights a second, and avro's
// reflective decoder took four times what reading the fields in order does.
// So a body written with the current AdInsight.avsc is read here, field by
// field in the schema's order; older writers still go through avro.Resolve.
// TestNativeDecodersMatchAvro holds both to the same result on every
// sample, truncation and corruption, and fails when AdInsight.avsc changes
// without this file.

// natives are the hand-written decoders of current schemas, by record type.
var natives = map[reflect.Type]nativeDecoder{
	// Decoders check v's type before (decoder.check).
	reflect.TypeFor[AdInsight](): func(body []byte, v any) ([]byte, error) { return decodeAdInsight(body, v.(*AdInsight)) },
}

// nativeDecoder reads a body written with the current schema of its record
// into v and returns what follows the record.
type nativeDecoder func(body []byte, v any) ([]byte, error)

// creativeTypeSymbols are the CreativeType enum's symbols in order.
var creativeTypeSymbols = []CreativeType{CreativeVideo, CreativeImage, CreativeCarousel, CreativeUnknown}

func decodeAdInsight(body []byte, in *AdInsight) ([]byte, error) {
	r := bodyReader{buf: body}
	*in = AdInsight{
		BrandID:           r.string(),
		AdAccountID:       r.string(),
		AdID:              r.string(),
		StartDate:         r.string(),
		EndDate:           r.string(),
		CreativeType:      r.enum(creativeTypeSymbols),
		AdEffectiveStatus: r.string(),
		SpendMicros:       r.long(),
		RevenueMicros:     r.long(),
		Orders:            r.long(),
		Impressions:       r.long(),
		Clicks:            r.long(),
		Reach:             r.long(),
		Frequency:         r.double(),
		VideoViews:        r.long(),
		VideoPlays:        r.long(),
		VideoThruplays:    r.long(),
		VideoP25:          r.long(),
		VideoP50:          r.long(),
		VideoP75:          r.long(),
		VideoP100:         r.long(),
		PostEngagement:    r.long(),
		FetchedAt:         time.UnixMilli(r.long()).UTC(),
		Version:           r.long(),
		SyncID:            r.string(),
		Daily:             r.boolean(),
		CampaignID:        r.string(),
		CampaignName:      r.string(),
		AdsetID:           r.string(),
		AdsetName:         r.string(),
	}
	if r.err != nil {
		*in = AdInsight{}
		return nil, r.err
	}
	return body[r.pos:], nil
}

// bodyReader reads Avro binary values in order; after the first error every
// read returns a zero value and err keeps that error. The strings it returns
// share one copy of the body, made at the first string.
type bodyReader struct {
	buf  []byte
	text string
	pos  int
	err  error
}

var errShortBody = errors.New("body ends inside a value")

// varint reads a zigzag varint of at most width bits, as avro does: the
// last byte it may take carries no continuation and only the bits left.
func (r *bodyReader) varint(width int) int64 {
	if r.err != nil {
		return 0
	}
	last := width / 7
	var u uint64
	for i := range last {
		if r.pos >= len(r.buf) {
			r.err = errShortBody
			return 0
		}
		b := r.buf[r.pos]
		r.pos++
		u |= uint64(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return int64(u>>1) ^ -int64(u&1)
		}
	}
	if r.pos >= len(r.buf) {
		r.err = errShortBody
		return 0
	}
	b := r.buf[r.pos]
	if b > 1<<(width-7*last)-1 {
		r.err = fmt.Errorf("varint overflows %d bits", width)
		return 0
	}
	r.pos++
	u |= uint64(b) << (7 * last)
	return int64(u>>1) ^ -int64(u&1)
}

func (r *bodyReader) long() int64 { return r.varint(64) }

func (r *bodyReader) string() string {
	n := r.long()
	switch {
	case r.err != nil:
		return ""
	case n < 0:
		r.err = fmt.Errorf("invalid negative string length %d", n)
		return ""
	case n > int64(len(r.buf)-r.pos):
		r.err = errShortBody
		return ""
	}
	if r.text == "" {
		r.text = string(r.buf)
	}
	s := r.text[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return s
}

func (r *bodyReader) enum(symbols []CreativeType) CreativeType {
	i := int32(r.varint(32))
	if r.err != nil {
		return ""
	}
	if i < 0 || int(i) >= len(symbols) {
		r.err = fmt.Errorf("enum index %d out of range [0, %d)", i, len(symbols))
		return ""
	}
	return symbols[i]
}

func (r *bodyReader) double() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.buf)-r.pos < 8 {
		r.err = errShortBody
		return 0
	}
	r.pos += 8
	return math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.pos-8:]))
}

// boolean is true for 1 and false for any other byte, as avro (and Java) read it.
func (r *bodyReader) boolean() bool {
	if r.err != nil {
		return false
	}
	if r.pos >= len(r.buf) {
		r.err = errShortBody
		return false
	}
	r.pos++
	return r.buf[r.pos-1] == 1
}
