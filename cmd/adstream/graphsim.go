package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/telemetry"
)

func graphsimCommand() command {
	var (
		addr                  string
		seed                  int64
		brands, accounts, ads int
		now, faults           string
		callBudget            float64
		usageWindow           time.Duration
	)
	return command{summary: "serve graphsim, the local Meta Marketing API simulator",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "addr", "127.0.0.1:8090", "listen address")
			fs.Int64Var(&seed, "seed", 1, "world seed")
			fs.IntVar(&brands, "brands", 1, "brands: demo, brand-2, ...")
			fs.IntVar(&accounts, "accounts", 1, "ad accounts per brand")
			fs.IntVar(&ads, "ads", 1000, "ads per account")
			fs.StringVar(&now, "now", "2026-11-28T00:00:00Z", "simulated clock start (RFC 3339)")
			fs.StringVar(&faults, "faults", "", `fault profile as JSON, e.g. {"transient_rate":0.1,"latency_ms":50} (see PUT /_sim/faults)`)
			fs.Float64Var(&callBudget, "call-budget", 3000, "call cost that fills an account's rate-limit usage to 100 % per window")
			fs.DurationVar(&usageWindow, "usage-window", time.Hour, "how long a full rate-limit bucket takes to drain")
		},
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			tel := config.LoadTelemetry(e, "")
			start, err := time.Parse(time.RFC3339, now)
			if err != nil && !e.Help {
				e.Fail("--now", "%q is not an RFC 3339 time like 2026-11-28T00:00:00Z", now)
			}
			var profile graphsim.Faults
			if faults != "" {
				dec := json.NewDecoder(strings.NewReader(faults))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&profile); err != nil {
					e.Fail("--faults", "%v", err)
				}
			}
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, tel)
			sim, err := graphsim.New(graphsim.Options{Seed: seed, Brands: brands, Accounts: accounts, Ads: ads, Now: start,
				CallBudget: callBudget, UsageWindow: usageWindow, Faults: profile})
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("graphsim listen: %w", err)
			}
			log.Info("graphsim listening", "url", "http://"+l.Addr().String(), "brands", brands, "accounts", accounts, "ads", ads)
			return serveHTTP(ctx, l, sim, log)
		}}
}

// serveHTTP serves h on l until ctx ends, then drains for at most 5 s.
func serveHTTP(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Debug("http server stopped", "addr", l.Addr().String())
	return nil
}
