package main

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// An API started before any producer or consumer creates the topic it
// queues syncs on, so its first sync is queued at once instead of failing
// with UNKNOWN_TOPIC_OR_PARTITION after franz-go's retries.
func TestAPICommandCreatesItsTopic(t *testing.T) {
	chAddr := testenv.ClickHouseAddr(t)
	brokers := testenv.Kafka(t)
	db, prefix, httpAddr := testenv.UniqueName(t, "db"), testenv.UniqueName(t, "t"), freeAddr(t)
	topic := prefix + ".sync-requests.v1"
	if exists(t, brokers, topic) {
		t.Fatalf("topic %s exists before the API started", topic)
	}
	env := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR": chAddr, "ADSTREAM_CLICKHOUSE_DATABASE": db,
		"ADSTREAM_KAFKA_BROKERS": strings.Join(brokers, ","), "ADSTREAM_TOPIC_PREFIX": prefix,
		"ADSTREAM_HTTP_ADDR": httpAddr, "ADSTREAM_ALLOW_NO_AUTH": "true", "ADSTREAM_LOG_LEVEL": "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runMain(ctx, []string{"api"}, func(k string) string { return env[k] }, &testLog{t: t}, &testLog{t: t})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("api returned %v after shutdown", err)
		}
		deleteTopic(t, brokers, topic)
	}()
	base := "http://" + httpAddr
	waitFor(t, 60*time.Second, "the API to serve", func() bool {
		select {
		case err := <-done:
			t.Fatalf("api stopped: %v", err)
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	if !exists(t, brokers, topic) {
		t.Fatalf("the API serves but topic %s does not exist", topic)
	}

	conn, err := store.Open(ctx, config.ClickHouse{Addr: chAddr, Username: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+"_bi") // the analysts' views read db
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	}()
	if err := store.New(conn, db).PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	status := post(t, base+"/api/creatives/sync/acme", `{"startDate":"2026-11-01","endDate":"2026-11-27"}`)
	t.Logf("first sync answered %d after %s", status, time.Since(start).Round(time.Millisecond))
	if status != http.StatusOK {
		t.Fatalf("first sync: status %d, want 200", status)
	}
}

// With no broker at the configured address, `adstream api` does not start,
// and says which broker and which topic it could not reach.
func TestAPICommandWithoutKafka(t *testing.T) {
	chAddr := testenv.ClickHouseAddr(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadBroker := "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	db := testenv.UniqueName(t, "db")
	env := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR": chAddr, "ADSTREAM_CLICKHOUSE_DATABASE": db,
		"ADSTREAM_KAFKA_BROKERS": deadBroker, "ADSTREAM_TOPIC_PREFIX": "nowhere",
		"ADSTREAM_HTTP_ADDR": freeAddr(t), "ADSTREAM_ALLOW_NO_AUTH": "true", "ADSTREAM_LOG_LEVEL": "error",
	}
	defer dropDatabase(t, chAddr, db)
	start := time.Now()
	err = runMain(context.Background(), []string{"api"}, func(k string) string { return env[k] }, &testLog{t: t}, &testLog{t: t})
	t.Logf("api gave up after %s: %v", time.Since(start).Round(time.Millisecond), err)
	if err == nil {
		t.Fatal("api started without a broker")
	}
	for _, want := range []string{deadBroker, "nowhere.sync-requests.v1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s: %v", want, err)
		}
	}
}

// admin returns a new admin client: a client caches metadata for a few
// seconds, so one that saw the topic missing could still report it missing.
func admin(t *testing.T, brokers []string) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func exists(t *testing.T, brokers []string, topic string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	listed, err := admin(t, brokers).ListTopics(ctx, topic)
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	return listed.Has(topic) && listed[topic].Err == nil
}

func deleteTopic(t *testing.T, brokers []string, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = admin(t, brokers).DeleteTopics(ctx, topic)
}

func dropDatabase(t *testing.T, chAddr, db string) {
	conn, err := store.Open(context.Background(), config.ClickHouse{Addr: chAddr, Username: "default"})
	if err != nil {
		t.Logf("drop %s: %v", db, err)
		return
	}
	defer conn.Close()
	_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+"_bi") // the analysts' views read db
	_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
}
