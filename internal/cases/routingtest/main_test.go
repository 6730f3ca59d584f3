// Package routingtest tests where cases go (routing, capacity, transfer,
// waiting cases) in a world of partners it builds itself. It is a package of
// its own so that it gets a database of its own: no other test's partners
// can take its cases.
package routingtest

import (
	"os"
	"testing"

	"mlp/internal/database/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
