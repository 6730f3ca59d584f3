package outbox_test

import (
	"os"
	"testing"

	"mlp/internal/database/dbtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childDB) != "" {
		// A worker process of TestTwoWorkerProcessesSendEachJobOnce: it
		// works on its parent's database, not one of its own.
		os.Exit(m.Run())
	}
	os.Exit(dbtest.Run(m))
}
