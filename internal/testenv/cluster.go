package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/chserver"
)

// Cluster is a ClickHouse cluster of one shard and two replicas.
type Cluster struct {
	Name  string   // the cluster's name in the servers' remote_servers
	Addrs []string // native addresses of replica 1 and replica 2
}

// ClickHouseCluster returns a ClickHouse cluster for this test, or skips/fails
// the test per ADSTREAM_E2E. The cluster comes from
// ADSTREAM_TEST_CLICKHOUSE_CLUSTER (its name) and
// ADSTREAM_TEST_CLICKHOUSE_CLUSTER_ADDRS (the replicas, comma-separated) when
// set; else deploy/local/cluster.sh starts ZooKeeper and two servers of the
// installed ClickHouse on free ports in a directory of the test's own, and
// stops them when the test ends.
func ClickHouseCluster(t testing.TB) Cluster {
	t.Helper()
	Integration(t)
	if name := os.Getenv("ADSTREAM_TEST_CLICKHOUSE_CLUSTER"); name != "" {
		return Cluster{Name: name, Addrs: strings.Split(os.Getenv("ADSTREAM_TEST_CLICKHOUSE_CLUSTER_ADDRS"), ",")}
	}
	c, stop, err := startCluster(t.TempDir())
	if stop != nil {
		t.Cleanup(stop)
	}
	if err != nil {
		unavailable(t, "a local ClickHouse cluster (deploy/local/cluster.sh)", err)
	}
	return c
}

func startCluster(dir string) (Cluster, func(), error) {
	if _, err := chserver.Binary(); err != nil {
		return Cluster{}, nil, err
	}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return Cluster{}, nil, errors.New("cannot locate deploy/local/cluster.sh")
	}
	script := filepath.Join(filepath.Dir(self), "..", "..", "deploy", "local", "cluster.sh")
	ports, err := freePorts(7)
	if err != nil {
		return Cluster{}, nil, err
	}
	pair := func(a, b int) string { return strconv.Itoa(a) + "," + strconv.Itoa(b) }
	env := append(os.Environ(),
		"ADSTREAM_DATA_DIR="+dir,
		"CLICKHOUSE_CLUSTER_NAME=adstream",
		"ZOOKEEPER_PORT="+strconv.Itoa(ports[0]),
		"CLUSTER_TCP_PORTS="+pair(ports[1], ports[2]),
		"CLUSTER_HTTP_PORTS="+pair(ports[3], ports[4]),
		"CLUSTER_INTERSERVER_PORTS="+pair(ports[5], ports[6]),
	)
	run := func(ctx context.Context, verb string) (string, error) {
		cmd := exec.CommandContext(ctx, "bash", script, verb)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("cluster.sh %s: %w\n%s", verb, err, out)
		}
		return string(out), nil
	}
	// The script's servers outlive this process unless stopped: a watchdog
	// of their own session cleans them up if the test binary dies without
	// running its cleanups (a -timeout panic, kill -9).
	watchdog := exec.Command("bash", "-c", `while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" clean`,
		"watchdog", strconv.Itoa(os.Getpid()), script)
	watchdog.Env = env
	watchdog.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := watchdog.Start(); err != nil {
		return Cluster{}, nil, fmt.Errorf("cluster watchdog: %w", err)
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, _ = run(ctx, "stop")
		_ = watchdog.Process.Kill()
		_ = watchdog.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := run(ctx, "start")
	if err != nil {
		return Cluster{}, stop, err
	}
	c := Cluster{}
	for line := range strings.SplitSeq(out, "\n") {
		if v, ok := strings.CutPrefix(line, "CLICKHOUSE_CLUSTER="); ok {
			c.Name = v
		}
		if v, ok := strings.CutPrefix(line, "CLICKHOUSE_CLUSTER_ADDRS="); ok {
			c.Addrs = strings.Split(v, ",")
		}
	}
	if c.Name == "" || len(c.Addrs) != 2 {
		return Cluster{}, stop, fmt.Errorf("cluster.sh start printed no cluster and two addresses:\n%s", out)
	}
	return c, stop, nil
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for len(out) < n {
		p, err := chserver.FreePort()
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
