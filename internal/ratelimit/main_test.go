package ratelimit_test

import (
	"os"
	"testing"

	"mlp/internal/database/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
