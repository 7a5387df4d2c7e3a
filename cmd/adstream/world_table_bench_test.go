package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/consumers"
)

// benchTable is issue 12's table: each figure measured beside its goal.
type benchTable struct {
	rows  [][4]string // figure, measured, goal, met
	notes []string
}

// add appends a row; met is "yes", "no" or "—" (no goal to meet).
func (t *benchTable) add(figure, measured, goal, met string) {
	t.rows = append(t.rows, [4]string{figure, measured, goal, met})
}

func (t *benchTable) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

// print writes the table as Markdown, ready for the README.
func (t *benchTable) print(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n\n| figure | measured | goal | met? |\n|---|---|---|---|\n", title)
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3])
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	fmt.Fprintln(w)
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// ms formats a latency in milliseconds, with a decimal below 100 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// latencyCell is "p50 / p99 ms, N req/s (n answers)".
func latencyCell(r loadResult) string {
	return fmt.Sprintf("%s / %s ms, %.0f req/s (%d answers)", ms(r.p50), ms(r.p99), r.perSec, r.n)
}

func mb(bytes int64) string { return fmt.Sprintf("%.0f MB", float64(bytes)/(1<<20)) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ingestFigure is one BenchmarkIngest result line: its name and its
// rows-per-second metrics by unit.
type ingestFigure struct {
	name  string
	rates map[string]float64
}

// readIngestFigures reads the BenchmarkIngest lines of an earlier `go test
// -bench` output (make bench runs the packages' benchmarks first), so the
// table shows the consumers' own measurement instead of a second one.
func readIngestFigures(path string) ([]ingestFigure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ingestFigure
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "BenchmarkIngest") {
			continue
		}
		fig := ingestFigure{name: fields[0], rates: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 { // fields[1] is the iteration count
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil && strings.HasSuffix(fields[i+1], "rows/s") {
				fig.rates[fields[i+1]] = v
			}
		}
		out = append(out, fig)
	}
	return out, sc.Err()
}

// addIngest adds a row per BenchmarkIngest result: the consumer's rows/s
// beside clickhouse-client's, and their ratio when both are there. The goal
// is the consumer's at its default batch size; the other sizes are there
// to compare.
func (t *benchTable) addIngest(path string) {
	const goal = "consumer ÷ clickhouse-client ≥ 0.6"
	if path == "" {
		t.add("consumer ingest ÷ clickhouse-client", "not read: ADSTREAM_BENCH_INGEST_OUTPUT unset", goal, "?")
		return
	}
	figs, err := readIngestFigures(path)
	if err != nil || len(figs) == 0 {
		t.add("consumer ingest ÷ clickhouse-client", fmt.Sprintf("no BenchmarkIngest result in %s (%v)", path, err), goal, "?")
		return
	}
	for _, f := range figs {
		var parts []string
		consumer, client := -1.0, -1.0
		for _, unit := range slices.Sorted(maps.Keys(f.rates)) {
			v := f.rates[unit]
			parts = append(parts, fmt.Sprintf("%.1fk %s", v/1000, unit))
			switch {
			case strings.Contains(unit, "client"):
				client = v
			case strings.HasPrefix(unit, "consumer"):
				consumer = v
			}
		}
		measured, verdict := strings.Join(parts, ", "), "? (no clickhouse-client figure)"
		if consumer > 0 && client > 0 {
			measured += fmt.Sprintf(" = %.2f", consumer/client)
			verdict = met(consumer/client >= 0.6)
		}
		name := strings.TrimPrefix(f.name, "Benchmark")
		if strings.HasPrefix(name, fmt.Sprintf("Ingest/batch-%d-", consumers.DefaultBatchRows)) {
			t.add("consumer ingest ("+name+", the consumer's default)", measured, goal, verdict)
		} else {
			t.add("consumer ingest ("+name+")", measured, "— (a batch size to compare)", "—")
		}
	}
}

// The table's ingest rows come from BenchmarkIngest's lines in make bench's
// output, whatever its metrics are called beside the consumer's.
func TestBenchTableIngestRows(t *testing.T) {
	tests := []struct {
		name string
		give string
		want [][4]string
	}{
		{
			name: "the default batch size",
			give: "goos: linux\nBenchmarkIngest/batch-100000-2  1  9000 ns/op  60000 consumer-rows/s  100000 clickhouse-client-rows/s  0.60 consumer/client\nPASS\n",
			want: [][4]string{{"consumer ingest (Ingest/batch-100000-2, the consumer's default)", "100.0k clickhouse-client-rows/s, 60.0k consumer-rows/s = 0.60", "consumer ÷ clickhouse-client ≥ 0.6", "yes"}},
		},
		{
			name: "below the goal",
			give: "BenchmarkIngest/batch-100000-2  1  9000 ns/op  25000 consumer-rows/s  100000 clickhouse-client-rows/s\n",
			want: [][4]string{{"consumer ingest (Ingest/batch-100000-2, the consumer's default)", "100.0k clickhouse-client-rows/s, 25.0k consumer-rows/s = 0.25", "consumer ÷ clickhouse-client ≥ 0.6", "no"}},
		},
		{
			name: "another batch size",
			give: "BenchmarkIngest/batch-20000-2  1  9000 ns/op  25000 consumer-rows/s  100000 clickhouse-client-rows/s\n",
			want: [][4]string{{"consumer ingest (Ingest/batch-20000-2)", "100.0k clickhouse-client-rows/s, 25.0k consumer-rows/s = 0.25", "— (a batch size to compare)", "—"}},
		},
		{
			name: "no clickhouse-client figure",
			give: "BenchmarkIngest/batch-100000-2  1  9000 ns/op  52800 consumer-rows/s  46800 direct-rows/s  1.13 consumer/direct\n",
			want: [][4]string{{"consumer ingest (Ingest/batch-100000-2, the consumer's default)", "52.8k consumer-rows/s, 46.8k direct-rows/s", "consumer ÷ clickhouse-client ≥ 0.6", "? (no clickhouse-client figure)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "packages.txt")
			if err := os.WriteFile(path, []byte(tt.give), 0o644); err != nil {
				t.Fatal(err)
			}
			var got benchTable
			got.addIngest(path)
			if !slices.Equal(got.rows, tt.want) {
				t.Errorf("rows = %q\nwant %q", got.rows, tt.want)
			}
		})
	}
}
