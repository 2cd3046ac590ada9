package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a file that `taahod serve` writes a CPU profile of
// its whole run to, for the submit benchmark (scripts/bench-submit
// -cpuprofile): the service's CPU per request is what that benchmark's
// goals turn on, and only the real server, sequencer included, shows where
// it goes.
const cpuProfileEnv = "TAAHOD_CPU_PROFILE"

// startCPUProfile starts the profile cpuProfileEnv asks for, if any, and
// returns what stops it and writes the file.
func startCPUProfile() (stop func(), err error) {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cpuProfileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", cpuProfileEnv, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
