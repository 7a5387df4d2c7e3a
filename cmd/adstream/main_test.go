package main

import (
	"os"
	"testing"

	"github.com/adstream/adstream/internal/testenv"
)

// runAsAdstream, set in a child's environment, makes the test binary run as
// the adstream binary (devstack_test.go kills it like a user would).
const runAsAdstream = "ADSTREAM_TEST_RUN_AS_ADSTREAM"

func TestMain(m *testing.M) {
	if os.Getenv(runAsAdstream) == "1" {
		main()
		os.Exit(0)
	}
	testenv.Main(m)
}
