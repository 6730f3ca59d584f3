package main

import (
	"runtime/debug"
	"testing"
)

// TestSetGC checks who paces the collector: GOGC when set, else the memory
// limit when GOMEMLIMIT is set, else gcPercent. Not parallel: it changes the
// process's GC percent and puts it back.
func TestSetGC(t *testing.T) {
	restore := debug.SetGCPercent(100)
	defer debug.SetGCPercent(restore)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"Default400", nil, gcPercent},
		{"MemoryLimitAlone", map[string]string{"GOMEMLIMIT": "1GiB"}, -1},
		{"GOGCSetLeavesTheRuntimesChoice", map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			setGC(func(k string) string { return tc.env[k] })
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GC percent %d, want %d", got, tc.want)
			}
		})
	}
}
