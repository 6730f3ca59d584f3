package guides_test

import (
	"testing"

	"mlp/internal/authztest"
	"mlp/internal/guides"
)

// TestPolicyCoversEveryMethod: every exported method of the guides service has
// a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, guides.Policy, &guides.Service{})
}
