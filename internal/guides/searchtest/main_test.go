// Package searchtest tests guide search on a fixed corpus, and benchmarks it
// on 20,000 generated guides. It is a package of its own so that it gets a
// database of its own: no other test's guides can change the rankings.
package searchtest

import (
	"os"
	"testing"

	"mlp/internal/database/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
