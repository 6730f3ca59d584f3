package measure

import (
	"testing"
	"time"
)

func TestQuantileAndSeries(t *testing.T) {
	d := []time.Duration{5, 1, 4, 2, 3}
	if q := Quantile(d, 0.5); q != 3 {
		t.Fatalf("median %v", q)
	}
	if q := Quantile(d, 0.95); q != 5 {
		t.Fatalf("p95 %v", q)
	}
	s := Series{3, 1, 2, 10}
	if s.Median() != 2.5 || s.String() != "2.50 (1.00-10.00)" {
		t.Fatalf("%v %s", s.Median(), s)
	}
}
