package graph

import "testing"

func TestParseMicros(t *testing.T) {
	tests := []struct {
		give    string
		want    int64
		wantErr bool
	}{
		{give: "14.35", want: 14_350_000}, // float64 gives 14349999
		{give: "0.01", want: 10_000},
		{give: "1234567.891234", want: 1_234_567_891_234},
		{give: "0", want: 0},
		{give: "0.29", want: 290_000}, // float64 gives 289999
		{give: "100", want: 100_000_000},
		{give: "7.", want: 7_000_000},
		{give: ".5", want: 500_000},
		{give: "-2.5", want: -2_500_000},
		{give: "1.0000005", want: 1_000_001},
		{give: "1.0000004", want: 1_000_000},
		{give: "9223372036854.775807", want: 9_223_372_036_854_775_807},
		{give: "9223372036854.775808", wantErr: true},
		{give: "", wantErr: true},
		{give: ".", wantErr: true},
		{give: "1e5", wantErr: true},
		{give: "1,5", wantErr: true},
		{give: "--1", wantErr: true},
		{give: "abc", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseMicros(tt.give)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseMicros(%q) error = %v, want error %v", tt.give, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseMicros(%q) = %d, want %d", tt.give, got, tt.want)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		give string
		want int64
	}{
		{give: "3", want: 3},
		{give: "1234567890123", want: 1234567890123},
		{give: "2.5", want: 3},
		{give: "2.49", want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := parseCount(tt.give)
			if err != nil || got != tt.want {
				t.Errorf("parseCount(%q) = %d, %v; want %d", tt.give, got, err, tt.want)
			}
		})
	}
}
