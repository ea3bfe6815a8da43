package main

import (
	"os"
	"testing"

	"github.com/confgw/confgw/internal/sipleak"
)

// runMainEnv makes the test binary run confgw's own main instead of the
// tests, so a test can start a real confgw process (its exit code, its fd
// limit) without building the command first.
const runMainEnv = "CONFGW_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	sipleak.VerifyTestMain(m)
}
