package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// `adstream dev`'s private ClickHouse ends with dev however dev ends: on
// SIGTERM dev stops it; killed, or crashed without running its deferred
// cleanup (SIGQUIT exits like an unrecovered panic), the kernel does.
func TestDevPrivateClickHouseEndsWithDev(t *testing.T) {
	requireClickHouseBinary(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc, and only Linux has a parent-death signal")
	}
	tests := []struct {
		name string
		give syscall.Signal
	}{
		{name: "kill -9", give: syscall.SIGKILL},
		{name: "crash without cleanup", give: syscall.SIGQUIT},
		{name: "SIGTERM", give: syscall.SIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir, chPort, httpAddr := t.TempDir(), freePorts(t), freeAddr(t)
			dev := exec.Command(os.Args[0], "dev")
			dev.Env = []string{
				runAsAdstream + "=1",
				"PATH=" + os.Getenv("PATH"),
				"ADSTREAM_CLICKHOUSE_ADDR=" + freeAddr(t), // nothing answers: dev starts its own
				"ADSTREAM_PRIVATE_CLICKHOUSE_PORT=" + strconv.Itoa(chPort),
				"ADSTREAM_DATA_DIR=" + dataDir,
				"ADSTREAM_HTTP_ADDR=" + httpAddr,
				"ADSTREAM_GRAPHSIM_ADDR=" + freeAddr(t),
				"ADSTREAM_DEMO_ADS=20",
				"ADSTREAM_LOG_LEVEL=warn",
			}
			var out syncBuffer
			dev.Stdout, dev.Stderr = &out, &out
			if err := dev.Start(); err != nil {
				t.Fatal(err)
			}
			devExited := make(chan struct{})
			go func() { _ = dev.Wait(); close(devExited) }()
			t.Cleanup(func() {
				_ = dev.Process.Kill()
				<-devExited
				if t.Failed() {
					t.Logf("dev's output:\n%.4000s", out.String())
				}
			})
			cfgPath := filepath.Join(dataDir, "clickhouse", "config.xml")
			t.Cleanup(func() { // a failed run must not leave a server behind
				for _, pid := range clickHouseServers(cfgPath) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			})
			waitFor(t, 60*time.Second, "dev's API to be ready", func() bool {
				resp, err := http.Get("http://" + httpAddr + "/readyz")
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			})
			servers := clickHouseServers(cfgPath)
			if len(servers) != 1 {
				t.Fatalf("clickhouse-server processes running %s: %v, want one", cfgPath, servers)
			}

			if err := dev.Process.Signal(tt.give); err != nil {
				t.Fatal(err)
			}
			select {
			case <-devExited:
			case <-time.After(20 * time.Second):
				t.Fatalf("dev still runs 20 s after %v", tt.give)
			}
			chAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(chPort))
			waitFor(t, 5*time.Second, fmt.Sprintf("clickhouse-server pid %d to end and free %s after dev got %v", servers[0], chAddr, tt.give), func() bool {
				if len(clickHouseServers(cfgPath)) > 0 {
					return false
				}
				c, err := net.DialTimeout("tcp", chAddr, time.Second)
				if err == nil {
					c.Close()
				}
				return err != nil
			})
		})
	}
}

// A private server some other data directory's dev runs on dev's port is
// never used: dev says which port is taken and by whom, and that server
// keeps running untouched.
func TestDevRefusesAnotherDirectorysPrivateClickHouse(t *testing.T) {
	requireClickHouseBinary(t)
	ctx := context.Background()
	port := freePorts(t)
	dirA := filepath.Join(t.TempDir(), "clickhouse")
	a, err := chserver.Start(ctx, chserver.Options{Dir: dirA, TCPPort: port, HTTPPort: port + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()

	unreachable := config.ClickHouse{Addr: freeAddr(t), Database: "adstream", Username: "default"}
	dataDirB := t.TempDir()
	got, stop, err := devClickHouse(ctx, unreachable, dataDirB, port, slog.New(slog.DiscardHandler))
	if err == nil {
		stop()
		t.Fatalf("dev with data dir %s used ClickHouse at %s, which runs from %s", dataDirB, got.Addr, dirA)
	}
	var taken *chserver.PortTakenError
	if !errors.As(err, &taken) {
		t.Fatalf("err = %v, want a PortTakenError", err)
	}
	for _, want := range []string{fmt.Sprintf("port %d ", port), fmt.Sprintf("pid %d ", a.PID()), dirA, "ADSTREAM_PRIVATE_CLICKHOUSE_PORT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	conn, err := store.Open(ctx, config.ClickHouse{Addr: a.Addr, Username: "default"})
	if err != nil {
		t.Fatalf("the other directory's server no longer answers: %v", err)
	}
	conn.Close()
}

func TestDevClickHousePortSetting(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    int
		wantErr string
	}{
		{name: "default", give: "", want: 18900},
		{name: "set", give: "28900", want: 28900},
		{name: "no room for the HTTP port", give: "65535", wantErr: "65535 leaves no port above it"},
		{name: "not a number", give: "lots", wantErr: `"lots" is not a whole number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(func(k string) string {
				if k == "ADSTREAM_PRIVATE_CLICKHOUSE_PORT" {
					return tt.give
				}
				return ""
			})
			got := loadDevClickHousePort(e)
			err := e.Err()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "ADSTREAM_PRIVATE_CLICKHOUSE_PORT") {
					t.Fatalf("err = %v, want one naming ADSTREAM_PRIVATE_CLICKHOUSE_PORT and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("port = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func requireClickHouseBinary(t *testing.T) {
	t.Helper()
	testenv.Integration(t)
	if _, err := chserver.Binary(); err != nil {
		if testenv.CurrentMode() == testenv.Must {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// freePorts returns a free loopback port whose next port is free too (a
// private server's native and HTTP ports).
func freePorts(t *testing.T) int {
	t.Helper()
	for range 50 {
		p, err := chserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1))); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no two adjacent free ports")
	return 0
}

// clickHouseServers returns the live clickhouse-server processes started
// with cfgPath, read from /proc (an exited one not yet reaped is not live).
func clickHouseServers(cfgPath string) []int {
	procs, _ := os.ReadDir("/proc")
	var pids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), "--config-file="+cfgPath) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", p.Name(), "stat")); err == nil && strings.Contains(string(stat), ") Z ") {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}
