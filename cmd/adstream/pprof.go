package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/adstream/adstream/internal/config"
)

// pprofAddr reads ADSTREAM_PPROF_ADDR, which every command honours.
func pprofAddr(e *config.Env) string {
	return e.String("ADSTREAM_PPROF_ADDR", "", "host:port serving Go's profiles at /debug/pprof/ (keep it on loopback); empty: none")
}

// startPprof serves the profiles on addr until the returned stop is called.
// A profiler that cannot listen is reported, not fatal: the role runs anyway.
func startPprof(addr string, errOut io.Writer) (stop func()) {
	if addr == "" {
		return func() {}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(errOut, "adstream: pprof not served: %v\n", err)
		return func() {}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}
