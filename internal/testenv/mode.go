// Package testenv gives integration tests real ClickHouse and Kafka servers.
//
// ADSTREAM_E2E says what to do when a server cannot be had: "skip" skips every
// integration test, "auto" (the default) runs what it can reach and skips the
// rest, "must" (what make test and CI set) fails the test instead of skipping.
//
// Servers come from, in order: ADSTREAM_TEST_CLICKHOUSE_ADDR and
// ADSTREAM_TEST_KAFKA_BROKERS; testcontainers-go where a Docker engine
// answers; a private local process (ClickHouse from the installed binary).
// Each test gets its own database and topics.
package testenv

import (
	"os"
	"testing"
)

// Mode is the ADSTREAM_E2E setting.
type Mode string

// The modes of ADSTREAM_E2E.
const (
	Skip Mode = "skip"
	Auto Mode = "auto"
	Must Mode = "must"
)

// CurrentMode reads ADSTREAM_E2E; anything unknown counts as auto.
func CurrentMode() Mode {
	switch m := Mode(os.Getenv("ADSTREAM_E2E")); m {
	case Skip, Must:
		return m
	default:
		return Auto
	}
}

// unavailable skips or fails the test, as the mode says.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	switch CurrentMode() {
	case Must:
		t.Fatalf("%s is required (ADSTREAM_E2E=must) but not available: %v", what, err)
	default:
		t.Skipf("%s not available (set ADSTREAM_E2E=must to fail instead): %v", what, err)
	}
}

// Integration skips the test when ADSTREAM_E2E=skip or with -short.
func Integration(t testing.TB) {
	t.Helper()
	if CurrentMode() == Skip || testing.Short() {
		t.Skip("integration test skipped (ADSTREAM_E2E=skip or -short)")
	}
}
