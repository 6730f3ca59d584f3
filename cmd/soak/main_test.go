package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"mlp/internal/database/dbtest"
)

// TestSoakShort runs both loads briefly against a server in this process
// with a third of the requests dropped: every check passes, and the report
// has its figures.
func TestSoakShort(t *testing.T) {
	db := os.Getenv(dbtest.EnvURL)
	if db == "" {
		db = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	for _, o := range []options{
		{patients: 4, advocates: 2, dur: 8 * time.Second, drop: 0.3, db: db},
		{patients: 4, advocates: 2, dur: 2 * time.Second, drop: 0.3, db: db, rate: 20},
	} {
		var out bytes.Buffer
		ok, err := run(context.Background(), o, &out)
		t.Log(out.String())
		if err != nil || !ok {
			t.Fatalf("soak: %v, ok %v", err, ok)
		}
		for _, want := range []string{"latency p50", "acknowledged", "memory: peak", "checks: "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if strings.Contains(out.String(), "acknowledged 0 cases") {
			t.Error("no case was acknowledged")
		}
	}
}
