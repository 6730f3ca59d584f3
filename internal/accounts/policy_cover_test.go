package accounts_test

import (
	"testing"

	"mlp/internal/accounts"
	"mlp/internal/authztest"
)

// TestPolicyCoversEveryMethod: every exported method of the accounts service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, accounts.Policy, &accounts.Service{})
}
