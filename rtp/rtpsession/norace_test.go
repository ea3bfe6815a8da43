//go:build !race

package rtpsession

// raceEnabled: see race_test.go.
const raceEnabled = false
