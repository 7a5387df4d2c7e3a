package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"time"

	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/telemetry"
	"github.com/adstream/adstream/schemas"
)

func syncCommand() command {
	var brand, start, end, kind string
	return command{summary: "queue a sync job for a brand and date range",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&brand, "brand", "demo", "brand id")
			fs.StringVar(&start, "start", "", "first day, YYYY-MM-DD")
			fs.StringVar(&end, "end", "", "last day, YYYY-MM-DD")
			fs.StringVar(&kind, "kind", "FULL", "FULL, REFRESH or INCREMENTAL")
		},
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			k := config.LoadKafka(e)
			topics := config.LoadTopics(e)
			tel := config.LoadTelemetry(e, "")
			requireBrokers(e, k)
			for flagName, v := range map[string]string{"--start": start, "--end": end} {
				if _, err := time.Parse(time.DateOnly, v); err != nil && !e.Help {
					e.Fail(flagName, "%q is not a date YYYY-MM-DD", v)
				}
			}
			switch schemas.SyncKind(kind) {
			case schemas.SyncKindFull, schemas.SyncKindRefresh, schemas.SyncKindIncremental:
			default:
				e.Fail("--kind", "%q is not FULL, REFRESH or INCREMENTAL", kind)
			}
			if err := e.Check(); err != nil {
				return err
			}
			log := telemetry.NewLogger(io.err, tel)
			codec, err := newCodec(ctx, k)
			if err != nil {
				return err
			}
			cl, err := bus.NewClient(k.Brokers, log)
			if err != nil {
				return err
			}
			defer cl.Close()
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			req := &schemas.SyncRequest{JobID: "cli-job-" + hex.EncodeToString(b), BrandID: brand, StartDate: start,
				EndDate: end, Kind: schemas.SyncKind(kind), RequestedAt: time.Now().UTC(), RequestedBy: "cli"}
			if err := bus.NewSyncQueue(cl, topics.SyncRequests, codec).Enqueue(ctx, req); err != nil {
				return err
			}
			fmt.Fprintf(io.out, "queued %s\n", req.JobID)
			return nil
		}}
}
