package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name      string
		give      []string
		env       map[string]string
		wantErr   bool
		wantOut   []string // each must appear in stdout
		wantErrIn []string // each must appear in the error or stderr
	}{
		{name: "usage lists the roles", give: nil,
			wantOut: []string{"dev", "api", "producer", "consumer", "graphsim", "migrate", "sync", "version"}},
		{name: "unknown command", give: []string{"serve"}, wantErr: true, wantErrIn: []string{`unknown command "serve"`}},
		{name: "help lists the settings of a role", give: []string{"consumer", "--help"},
			wantOut: []string{"ADSTREAM_KAFKA_BROKERS", "ADSTREAM_CLICKHOUSE_ADDR", "ADSTREAM_BATCH_ROWS", "ADSTREAM_METRICS_ADDR"}},
		{name: "help lists graphsim's flags", give: []string{"graphsim", "--help"},
			wantOut: []string{"--seed", "--ads", "--faults", "--now"}},
		{name: "every bad value named at once", give: []string{"producer"},
			env:     map[string]string{"ADSTREAM_CLICKHOUSE_ADDR": "nohost", "ADSTREAM_LOG_LEVEL": "loud", "ADSTREAM_GRAPH_URL": "ftp://x"},
			wantErr: true, wantErrIn: []string{"ADSTREAM_CLICKHOUSE_ADDR", "ADSTREAM_LOG_LEVEL", "ADSTREAM_GRAPH_URL", "ADSTREAM_KAFKA_BROKERS", "ADSTREAM_TOKEN_KEY"}},
		{name: "a secret value is never echoed", give: []string{"producer"},
			env:     map[string]string{"ADSTREAM_TOKEN_KEY": "not-hex-s3cr3t", "ADSTREAM_KAFKA_BROKERS": "127.0.0.1:1", "ADSTREAM_GRAPH_URL": "http://127.0.0.1:1", "ADSTREAM_CLICKHOUSE_ADDR": "127.0.0.1:1"},
			wantErr: true},
		{name: "version", give: []string{"version"}, wantOut: []string{"adstream "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runMain(context.Background(), tt.give, func(k string) string { return tt.env[k] }, &out, &errOut)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			all := errOut.String()
			if err != nil {
				all += err.Error()
			}
			for _, w := range tt.wantErrIn {
				if !strings.Contains(all, w) {
					t.Errorf("error lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all+out.String(), "s3cr3t") {
				t.Errorf("a secret reached the output:\n%s", all)
			}
		})
	}
}

// Every command serves Go's profiles when ADSTREAM_PPROF_ADDR is set.
func TestPprofOnEveryCommand(t *testing.T) {
	addr := freeAddr(t)
	out := &syncBuffer{}
	env := map[string]string{"ADSTREAM_PPROF_ADDR": addr}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runMain(ctx, []string{"graphsim", "--addr", freeAddr(t)}, func(k string) string { return env[k] }, out, out)
	}()
	defer func() { cancel(); <-done }()
	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Get("http://" + addr + "/debug/pprof/cmdline"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no pprof at %s: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pprof answered %d", resp.StatusCode)
	}
}
