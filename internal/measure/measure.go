// Package measure holds the little statistics of the benchmarks that report
// figures in interleaved rounds (the machine is shared and noisy: figures
// are compared as ratios taken side by side, and their spread over rounds
// is reported with them).
package measure

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"
)

// EnvRounds names the variable that sets how many rounds a rounds
// benchmark runs.
const EnvRounds = "BENCH_ROUNDS"

// Rounds is the number of rounds to run: BENCH_ROUNDS, else def.
func Rounds(def int) int {
	if n, err := strconv.Atoi(os.Getenv(EnvRounds)); err == nil && n > 0 {
		return n
	}
	return def
}

// Quantile returns the p-quantile (0..1) of durations, nearest rank;
// durations is sorted in place.
func Quantile(durations []time.Duration, p float64) time.Duration {
	if len(durations) == 0 {
		return 0
	}
	slices.Sort(durations)
	return durations[int(p*float64(len(durations)-1)+0.5)]
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Series is one figure over rounds.
type Series []float64

// Median of the rounds.
func (s Series) Median() float64 {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// String is "median (min-max)".
func (s Series) String() string {
	if len(s) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f (%.2f-%.2f)", s.Median(), slices.Min(s), slices.Max(s))
}
