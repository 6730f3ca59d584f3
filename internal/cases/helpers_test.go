package cases_test

import (
	"sync"
	"testing"

	"mlp/models"
)

var (
	statesMu   sync.Mutex
	statesUsed = map[string]bool{}
)

// freeState hands each test a jurisdiction of its own, so that the legal-aid
// organizations a test creates are the only ones routing can pick there.
func freeState(t *testing.T) string {
	t.Helper()
	statesMu.Lock()
	defer statesMu.Unlock()
	for st := range models.USJurisdictions {
		if !statesUsed[st] {
			statesUsed[st] = true
			return st
		}
	}
	t.Fatal("no free jurisdiction left for this test")
	return ""
}
