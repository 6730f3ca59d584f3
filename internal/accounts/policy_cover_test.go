package accounts_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/accounts"
)

// TestPolicyCoversEveryMethod: every exported method of the accounts service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, accounts.Policy, &accounts.Service{})
}
