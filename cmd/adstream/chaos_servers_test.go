package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/internal/chserver"
)

// privateServers are a ClickHouse server and a Kafka broker of the chaos
// suite's own, run by deploy/local's scripts on free ports with data
// directories of their own, so that stopping them hurts no other test.
// They live in .data/chaos (chaosDataDir), not in a temporary directory:
// should the test process die without its cleanups (a panic, a timeout),
// the next run and make chaos stop what it left running there.
type privateServers struct {
	t                       *testing.T
	env                     []string
	chPort, kafkaPort       int
	chStopped, kafkaStopped time.Time // zero while running
}

// chaosDataDir is where the suite's servers keep their data, under the
// repository (make chaos stops them there too).
func chaosDataDir(t *testing.T) string { return filepath.Join(repoRoot(t), ".data", "chaos") }

// startPrivateServers starts both servers, after stopping any that an
// earlier run left, and stops them when the test ends.
func startPrivateServers(t *testing.T) *privateServers {
	t.Helper()
	dir := chaosDataDir(t)
	s := &privateServers{t: t, chPort: freePort(t), kafkaPort: freePort(t)}
	s.env = append(os.Environ(),
		"ADSTREAM_DATA_DIR="+dir, // the ClickHouse server lives in $ADSTREAM_DATA_DIR/clickhouse-test
		"CLICKHOUSE_PORT="+strconv.Itoa(s.chPort), "CLICKHOUSE_HTTP_PORT="+strconv.Itoa(freePort(t)),
		"KAFKA_PORT="+strconv.Itoa(s.kafkaPort), "KAFKA_CONTROLLER_PORT="+strconv.Itoa(freePort(t)),
		// The jars are the repository's cache (make test fetched them); the broker is ours.
		"KAFKA_CACHE_DIR="+filepath.Join(repoRoot(t), ".data", "kafka"), "KAFKA_RUN_DIR="+filepath.Join(dir, "kafka"))
	stop := func() {
		s.script("kafka", "stop")
		s.script("clickhouse", "stop")
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
	}
	stop()
	t.Cleanup(stop)
	s.script("clickhouse", "start")
	s.script("kafka", "start")
	return s
}

func (s *privateServers) chAddr() string { return "127.0.0.1:" + strconv.Itoa(s.chPort) }
func (s *privateServers) brokers() []string {
	return []string{"127.0.0.1:" + strconv.Itoa(s.kafkaPort)}
}

// stopClickHouse stops the server as its script does (SIGTERM, then wait).
func (s *privateServers) stopClickHouse() {
	s.chStopped = time.Now()
	s.script("clickhouse", "stop")
}

// startClickHouse starts it again, if stopped: it returns how long it was
// away and when it came back (took connections; it answers queries then).
func (s *privateServers) startClickHouse() (away time.Duration, back time.Time) {
	if s.chStopped.IsZero() {
		return 0, time.Time{}
	}
	back = s.startWatching("clickhouse", func() bool {
		c, err := net.DialTimeout("tcp", s.chAddr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	away = back.Sub(s.chStopped)
	s.chStopped = time.Time{}
	return away, back
}

// stopKafka stops the broker (SIGTERM, a controlled shutdown).
func (s *privateServers) stopKafka() {
	s.kafkaStopped = time.Now()
	s.script("kafka", "stop")
}

// startKafka starts the broker again, if stopped: it returns how long it
// was away and when it came back (answered a metadata request, which is
// before its script says it started).
func (s *privateServers) startKafka() (away time.Duration, back time.Time) {
	if s.kafkaStopped.IsZero() {
		return 0, time.Time{}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.brokers()...))
	if err != nil {
		s.t.Fatal(err)
	}
	defer cl.Close()
	back = s.startWatching("kafka", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		m, err := kadm.NewClient(cl).BrokerMetadata(ctx)
		return err == nil && len(m.Brokers) > 0
	})
	away = back.Sub(s.kafkaStopped)
	s.kafkaStopped = time.Time{}
	return away, back
}

// startWatching runs the start script of a server and returns when up
// first said it was.
func (s *privateServers) startWatching(name string, up func() bool) time.Time {
	s.t.Helper()
	found := make(chan time.Time, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			if up() {
				found <- time.Now()
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	s.script(name, "start")
	select {
	case at := <-found:
		return at
	case <-time.After(5 * time.Second):
		s.t.Fatalf("%s's start script succeeded, but the server does not answer", name)
		return time.Time{}
	}
}

// script runs deploy/local/<name>.sh cmd with the servers' settings.
func (s *privateServers) script(name, cmd string) {
	s.t.Helper()
	c := exec.Command("bash", filepath.Join(repoRoot(s.t), "deploy", "local", name+".sh"), cmd)
	c.Env = s.env
	out, err := c.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s.sh %s: %v\n%s", name, cmd, err, out)
	}
	s.t.Logf("%s.sh %s: %s", name, cmd, strings.TrimSpace(string(out)))
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := chserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// repoRoot is the repository's top directory (tests run in their package's).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
