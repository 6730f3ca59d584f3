package clock_test

import (
	"testing"
	"time"

	"mlp/internal/clock"
)

func TestNowIsUTCMicroseconds(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("X", 3600))
	got := clock.NewManual(at).Clock().Now()
	if want := time.Date(2026, 3, 4, 4, 6, 7, 891234000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", got, want)
	}
	var wall clock.Clock
	if n := wall.Now(); n.Nanosecond()%1000 != 0 || n.Location() != time.UTC {
		t.Fatalf("the zero clock's Now = %v", n)
	}
}

func TestManualMoves(t *testing.T) {
	m := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m.Add(time.Hour)
	if got := m.Clock().Now(); got.Hour() != 1 {
		t.Fatalf("after Add: %v", got)
	}
	m.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if got := m.Clock().Now(); got.Year() != 2030 {
		t.Fatalf("after Set: %v", got)
	}
}
