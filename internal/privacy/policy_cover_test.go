package privacy_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/privacy"
)

// TestPolicyCoversEveryMethod: every exported method of the privacy service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, privacy.Policy, &privacy.Service{})
}
