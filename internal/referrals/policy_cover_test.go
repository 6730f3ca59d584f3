package referrals_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/referrals"
)

// TestPolicyCoversEveryMethod: every exported method of the referrals service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, referrals.Policy, &referrals.Service{})
}
