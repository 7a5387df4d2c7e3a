package store_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// What a real server refuses is the caller's problem; what never reached a
// server is unavailability. (api's TestRoutesWhenClickHouseIsDown stops a
// real server under running queries.)
func TestIsUnavailable(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	badSQL := conn.Exec(ctx, "SELECT no_such_column FROM "+cfg.Database+".brands")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	_, refused := store.Open(ctx, config.ClickHouse{Addr: closed, Username: "default"})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if badSQL == nil || refused == nil {
		t.Fatalf("setup: bad SQL gave %v, a closed port gave %v; want errors", badSQL, refused)
	}

	tests := []struct {
		name string
		give error
		want bool
	}{
		{name: "no error", give: nil, want: false},
		{name: "not found", give: fmt.Errorf("brand x: %w", store.ErrNotFound), want: false},
		{name: "a statement the server refused", give: badSQL, want: false},
		{name: "the caller gave up", give: conn.Ping(canceled), want: false},
		{name: "connection refused", give: refused, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.IsUnavailable(tt.give); got != tt.want {
				t.Errorf("IsUnavailable(%v) = %v, want %v", tt.give, got, tt.want)
			}
		})
	}
}
