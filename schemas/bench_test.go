package schemas

import "testing"

func BenchmarkAdInsight(b *testing.B) {
	s := newTestSerde(b)
	in := sampleRecords()[3].(*AdInsight)
	msg, err := s.Encode(in)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		buf := make([]byte, 0, 256)
		for b.Loop() {
			if buf, err = s.AppendEncode(buf[:0], in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if _, err := s.Decode(msg); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("DecodeInto", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		var out AdInsight
		for b.Loop() {
			if err := s.DecodeInto(msg, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
